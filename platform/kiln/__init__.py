"""Kiln control plane: the Django project.

The Celery app is not imported here (Django's usual place): `kiln login` and the other client
commands import this package on a laptop, and Celery's import alone is about 0.7 s. The task
module imports it (`kiln/jobs/tasks.py`), so every process that sends or runs a job has it.
"""
