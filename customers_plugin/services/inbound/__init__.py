"""Messages that come in: emails answering a thread (``receive``, fed by the signed
``POST /inbound/email`` endpoint or ``flask customers inbound read-mbox``), checked by
``signature``, read by ``parse``; and the host's contact form (``contact_form``)."""

from .receive import DUPLICATE, STORED, UNMATCHED, Received, receive

__all__ = ["DUPLICATE", "STORED", "UNMATCHED", "Received", "receive"]
