print("VaultBench: not written yet")
