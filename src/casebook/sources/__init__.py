"""Reading the project's files into the validated model: where a project keeps its
sources, YAML and front matter with the line of every key, the limits and guards every file
is held to, the wording of problems, and the model, vocabularies, questions and data files.
"""
