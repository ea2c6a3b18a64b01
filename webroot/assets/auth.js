// The client key, when the relay asks for one: it stays in this tab and goes only into request
// headers. An EventSource cannot send headers, so the GET stream carries a short-lived token the
// relay mints for the key (POST /api/v1/llm/token) instead, never the key itself.

import * as view from './view.js';

const { $ } = view;

/** The Authorization header for the key typed in, or none. */
export function keyHeaders() {
  const key = $('client-key').value.trim();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** A token for the EventSource GET; rejects with the relay's error ({type, error, status}). */
export async function streamToken() {
  const response = await fetch('/api/v1/llm/token', { method: 'POST', headers: keyHeaders() });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw body && body.type ? body : { type: 'internal', status: response.status, error: `HTTP ${response.status}` };
  }
  return body.token;
}
