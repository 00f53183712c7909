print("RedactionBench: not written yet")
