"""``flask customers …``: database migrations, the RQ worker and maintenance commands."""

from __future__ import annotations

import click
from flask import current_app, has_app_context
from flask.cli import AppGroup

from . import migrate
from .db import statement_timeout
from .state import get_state
from .types import utcnow

customers_cli = AppGroup("customers", help="customers-plugin: database, worker, maintenance.")


def _operator_timeout() -> None:
    """An operator's command is background work: the jobs' statement timeout, not the
    request-time one."""
    ms = current_app.config.get("CUSTOMERS_JOB_STATEMENT_TIMEOUT_MS") if has_app_context() else None
    click.get_current_context().with_resource(statement_timeout(ms))


customers_cli.callback = _operator_timeout


@customers_cli.group("db")
def db_group() -> None:
    """The plugin's own migrations (own version table)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or upgrade the plugin's tables."""
    migrate.upgrade(get_state().db, revision)
    click.echo(f"customers: database at {migrate.current_revision(get_state().db)}")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Go back to REVISION (``base`` removes every table of the plugin)."""
    migrate.downgrade(get_state().db, revision)
    click.echo(f"customers: database at {migrate.current_revision(get_state().db)}")


@db_group.command("current")
def db_current() -> None:
    """Show the applied and the latest revision."""
    db = get_state().db
    click.echo(f"applied: {migrate.current_revision(db)}  latest: {migrate.head_revision(db)}")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Autogenerate a new revision from the models (for plugin developers)."""
    migrate.revision(get_state().db, message)


@customers_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--with-scheduler", is_flag=True, help="Also run RQ's scheduler (retries, cron).")
@click.option(
    "--fork",
    is_flag=True,
    help="Run each job in a forked work horse (isolation) instead of in this process (speed).",
)
def worker(burst: bool, with_scheduler: bool, fork: bool) -> None:
    """Run an RQ worker for the plugin's queue inside this app.

    By default jobs run in the worker process itself (RQ's SimpleWorker): the app, its engine
    and its connection pool are reused, which is what makes hundreds of events per second
    possible. ``--fork`` gives each job a fresh process, as plain ``rq worker`` does. The
    worker relays the job outbox when it starts and every ``CUSTOMERS_RELAY_INTERVAL`` seconds.
    """
    from rq.defaults import DEFAULT_WORKER_TTL
    from rq.serializers import JSONSerializer

    from .worker import RelayingSimpleWorker, RelayingWorker

    state = get_state()
    jobs = state.jobs
    if jobs.inline:
        raise click.ClickException("no CUSTOMERS_REDIS_URL / REDIS_URL: jobs already run inline")
    queue = jobs.queue
    worker_class = RelayingWorker if fork else RelayingSimpleWorker
    interval = int(state.setting("CUSTOMERS_RELAY_INTERVAL"))
    with current_app.app_context():
        worker_class(
            [queue],
            connection=queue.connection,
            serializer=JSONSerializer,
            maintenance_interval=interval,
            # an idle worker wakes from its blocking dequeue every worker_ttl - 15 seconds
            worker_ttl=min(DEFAULT_WORKER_TTL, interval + 15),
        ).work(burst=burst, with_scheduler=with_scheduler)


@customers_cli.command("relay")
@click.option("--store", "store_id", default=None, help="Only the jobs of this store.")
def relay(store_id: str | None) -> None:
    """Hand the jobs still pending in the outbox to RQ now (exit status 1 if some are left)."""
    from . import outbox

    state = get_state()
    if state.jobs.inline:
        click.echo("customers: no Redis configured, jobs run inline: nothing to relay")
        return
    relayed = state.jobs.relay(store_id=store_id)
    left = outbox.pending(state.db, store_id)
    click.echo(f"customers: {len(relayed)} job(s) relayed, {left['count']} pending")
    if left["count"]:
        raise click.ClickException(
            f"{left['count']} job(s) still pending since {left['oldest']:%Y-%m-%d %H:%M:%S} UTC "
            "(is Redis answering?)"
        )


@customers_cli.command("rebuild-stats")
@click.option("--store", "store_id", default=None, help="Only this store.")
def rebuild_stats(store_id: str | None) -> None:
    """Queue a stats rebuild (from the stored summaries) for every customer."""
    from sqlalchemy import select

    from .models import Customer

    state = get_state()
    with state.db.session() as session:
        query = select(Customer.id)
        if store_id:
            query = query.where(Customer.store_id == store_id)
        ids = [str(i) for i in session.scalars(query)]
    for customer_id in ids:
        state.jobs.submit("rebuild_stats", customer_id, job_id=f"rebuild-stats-{customer_id}")
    click.echo(
        f"customers: {len(ids)} stats rebuild(s) {'done' if state.jobs.inline else 'queued'}"
    )


@customers_cli.group("groups")
def groups_group() -> None:
    """Customer groups."""


@groups_group.command("refresh")
@click.option("--store", "store_id", default=None, help="Only the groups of this store.")
@click.option("--group", "group_id", default=None, help="Only this group (its id).")
def groups_refresh(store_id: str | None, group_id: str | None) -> None:
    """Recompute group memberships now (inline) or on the queue (with Redis)."""
    state = get_state()
    if group_id:
        result = state.jobs.submit("refresh_group", group_id)
    else:
        result = state.jobs.submit("refresh_all_groups", store_id)
    if state.jobs.inline:
        click.echo(f"customers: groups refreshed {result}")
    else:
        click.echo(f"customers: refresh queued as {getattr(result, 'id', result)}")


@customers_cli.group("tasks")
def tasks_group() -> None:
    """Staff tasks."""


@tasks_group.command("remind")
def tasks_remind() -> None:
    """Remind the assignees of the tasks that fell due, once each: now (inline) or on the
    queue (with Redis). Run it every minute from the system's cron without Redis."""
    state = get_state()
    job_id = f"send-due-task-reminders-{utcnow():%Y%m%d%H%M}"
    result = state.jobs.submit("send_due_task_reminders", job_id=job_id)
    if state.jobs.inline:
        click.echo(f"customers: task reminders {result}")
    else:
        click.echo(f"customers: task reminders queued as {getattr(result, 'id', result)}")


@customers_cli.group("messages")
def messages_group() -> None:
    """Messages to customers."""


@messages_group.command("send-queued")
def messages_send_queued() -> None:
    """Send the messages still queued (deferred by the store's sending rate): now (inline) or
    on the queue (with Redis). Run it every minute from the system's cron without Redis."""
    state = get_state()
    job_id = f"send-queued-messages-{utcnow():%Y%m%d%H%M}"
    result = state.jobs.submit("send_queued_messages", job_id=job_id)
    if state.jobs.inline:
        click.echo(f"customers: queued messages {result}")
    else:
        click.echo(f"customers: queued messages job queued as {getattr(result, 'id', result)}")


# import, export and inbound commands live in their own modules; importing them attaches them
from . import cli_inbound, cli_transfer  # noqa: E402, F401
