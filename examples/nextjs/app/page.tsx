import { Chat } from './chat';

export default function Home() {
  return (
    <main>
      <h1>Chat, traced in Basalt</h1>
      <p>
        Each message is one Basalt trace: a root span for the request and a <code>generation</code> span for the
        model call, both carrying the user id you type below.
      </p>
      <Chat />
    </main>
  );
}
