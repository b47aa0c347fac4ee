"""The answers a project is generated from: the questions, their rules, and where they come from.

questions.py is the table every question starts from; fields.py and regions.py check each
answer on its own, rules.py the rules spanning answers and `build_answers` (the only way to
make `model.Answers`); sources.py reads answers files, flags and defaults; prompts.py asks at a
terminal (questionary, imported only when a person is asked); wording.py is how errors show a
value.
"""
