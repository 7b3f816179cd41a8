"""Pure clinical core: questionnaire scoring, red-flag triage, pain phase, evidence-graded plan."""
