"""The SMS channel (Brevo's transactional SMS API) for RSA participants without Telegram."""
