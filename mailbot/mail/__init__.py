"""The mailbox and the mail server: sources (IMAP, Maildir), senders (SMTP, Maildir), the outbox, OAuth2 tokens."""
