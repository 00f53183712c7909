print("IntakeBench: not written yet")
