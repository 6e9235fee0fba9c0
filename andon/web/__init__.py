"""The console shell: sign-in, language switch, the home page of each role. The full console
of every role (issue #3) grows here, calling the domains' services and selectors."""
