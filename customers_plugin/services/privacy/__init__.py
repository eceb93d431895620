"""A customer's rights over their data (GDPR art. 15, 17, 20): everything held about one
customer as one document (``access``), erasure that keeps the accounts by anonymising
(``erasure``), and the copies of a customer's data outside their own rows that both an erasure
and a plain delete must remove (``traces``: import undo rows, finished export files), and the
shopper's erasure requests the merchant completes (``requests``)."""
