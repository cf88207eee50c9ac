'use client';

import { type FormEvent, useState } from 'react';

export function Chat() {
  const [userId, setUserId] = useState('user-1');
  const [prompt, setPrompt] = useState('');
  const [answer, setAnswer] = useState('');
  const [busy, setBusy] = useState(false);

  async function send(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setAnswer('');
    try {
      const response = await fetch('/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': userId },
        body: JSON.stringify({ prompt }),
      });
      if (!response.ok || !response.body) {
        setAnswer(`Error ${response.status}: ${await response.text()}`);
        return;
      }
      // The route streams plain text: show it as it arrives.
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        setAnswer((previous) => previous + value);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={send} style={{ display: 'grid', gap: '0.5rem' }}>
      <label>
        User id <input value={userId} onChange={(e) => setUserId(e.target.value)} required />
      </label>
      <textarea value={prompt} onChange={(e) => setPrompt(e.target.value)} rows={3} placeholder="Ask something" required />
      <button type="submit" disabled={busy}>
        {busy ? 'Streaming…' : 'Send'}
      </button>
      <pre style={{ whiteSpace: 'pre-wrap' }}>{answer}</pre>
    </form>
  );
}
