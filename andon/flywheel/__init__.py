"""The customer-operation flywheel (用户经营飞轮): the seven elements in three layers as live
figures, supplier and department scorecards, the silent-cord alarm and the agent's inbox.
Read-only over the other domains; it owns only its targets, alarms and read marks."""
