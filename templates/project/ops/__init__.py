"""Operator scripts, run by hand with credentials and the stack's outputs (`python -m ops.<name>`).

They are not part of the Pulumi program and not part of the function's code.
"""
