/**
 * A fixed, valid Standard Webhooks secret for tests and examples that need a signed endpoint but
 * do not care which key signs. Never use it for a real receiver.
 */
export const TEST_SECRET = "whsec_aG9va2xpbmUtdGVzdC1zZWNyZXQtMzItYnl0ZXMhISE=";
