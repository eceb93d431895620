"""Configuration module for ``rq cron``: ``rq cron customers_plugin.services.groups.rq_cron``.

Importing it registers the periodic full refresh of groups (see ``schedule.py``).
"""

from .schedule import register

register()
