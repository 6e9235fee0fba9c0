"""Console views, one module per area. Thin: parse a form, call one service or selector,
render. Domain errors are shown in words next to the control they concern."""
