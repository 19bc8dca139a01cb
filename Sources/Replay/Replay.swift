/// Deterministic replay of rule files over historical data (placeholder; the engine lands next).
public enum ReplayModule {}
