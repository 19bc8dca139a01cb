/// The promqltest script language: a placeholder the runner replaces.
public enum PromQLTestScript {}
