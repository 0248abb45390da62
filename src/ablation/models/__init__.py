"""The paper's filter study on any classifier (beyond VGG19-BN): units and couplings found by tracing its graph."""
