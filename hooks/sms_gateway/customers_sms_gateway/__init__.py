"""SMS gateway: a reference third-party plugin for customers-plugin.

Found through the ``customers_plugin`` entry-point group (name ``sms_gateway``). It implements
the ``sms`` channel of ``send_message`` by posting each message, with the store's sender name,
to an HTTP provider, and turns the provider's delivery reports into
``customers_plugin.report_delivery`` calls.
"""

from .plugin import SmsGateway, handle_report, plugin

__all__ = ["SmsGateway", "handle_report", "plugin"]
