import * as manager1 from '@langchain/core/callbacks/manager';
import * as documents1 from '@langchain/core/documents';
import * as chatModels1 from '@langchain/core/language_models/chat_models';
import * as messages1 from '@langchain/core/messages';
import * as parsers1 from '@langchain/core/output_parsers';
import * as prompts1 from '@langchain/core/prompts';
import * as runnables1 from '@langchain/core/runnables';
import * as tools1 from '@langchain/core/tools';
import * as testing1 from '@langchain/core/utils/testing';
import * as manager03 from 'langchain-core-03/callbacks/manager';
import * as documents03 from 'langchain-core-03/documents';
import * as chatModels03 from 'langchain-core-03/language_models/chat_models';
import * as messages03 from 'langchain-core-03/messages';
import * as parsers03 from 'langchain-core-03/output_parsers';
import * as prompts03 from 'langchain-core-03/prompts';
import * as runnables03 from 'langchain-core-03/runnables';
import * as tools03 from 'langchain-core-03/tools';
import * as testing03 from 'langchain-core-03/utils/testing';
import { z } from 'zod';

/**
 * Real runnables and LangChain's fakes, built from one `@langchain/core` major. The modules of each
 * major are typed as 1.x's: only the values differ at run time, which is the point of the test.
 */
interface Modules {
  manager: typeof manager1;
  documents: typeof documents1;
  chatModels: typeof chatModels1;
  messages: typeof messages1;
  parsers: typeof parsers1;
  prompts: typeof prompts1;
  runnables: typeof runnables1;
  tools: typeof tools1;
  testing: typeof testing1;
}

/** The run config the tests pass: the same shape in both majors. */
export interface RunConfig {
  callbacks?: unknown[];
  metadata?: Record<string, unknown>;
  runName?: string;
  runId?: string;
}

export interface Invokable<I, O> {
  invoke(input: I, config?: RunConfig): Promise<O>;
  stream(input: I, config?: RunConfig): Promise<AsyncIterable<O>>;
}

export interface Kit {
  major: string;
  /**
   * `prompt | chat model | string parser`; the model answers `responses` in turn. With `sleepMs`, it
   * waits that long on a timer before answering, and before each character when it streams.
   */
  chain(responses: string[], options?: { sleepMs?: number }): Invokable<{ question: string }, string>;
  /**
   * `prompt | chat model | string parser` whose model echoes the prompt; with `sleepMs`, the model
   * waits that long (a timer, so concurrent invokes interleave) before it answers.
   */
  echoChain(sleepMs?: number): Invokable<{ question: string }, string>;
  /** `prompt | chat model` whose model throws `message`. */
  failingChain(message: string): Invokable<{ question: string }, unknown>;
  /** A chat model answering with `usage_metadata` and `response_metadata`, as provider models do. */
  usageModel(): Invokable<string, unknown>;
  llm(response: string): Invokable<string, string>;
  /** A tool named `add`, built with `tool()`. */
  addTool(): Invokable<unknown, unknown>;
  retriever(texts: string[]): Invokable<string, unknown[]>;
  /** A `RunnableLambda` around `fn`. */
  lambda<I, O>(fn: (input: I) => O): Invokable<I, O>;
  /** A string tool made with `tool()` around `fn`. */
  stringTool(name: string, fn: (input: string) => Promise<string>): Invokable<string, unknown>;
  /** A chain run started through LangChain's callback manager, as an agent executor does. */
  agentRun(callbacks: unknown[]): Promise<AgentRun>;
}

export interface AgentRun {
  action(tool: string, toolInput: unknown): Promise<void>;
  finish(returnValues: Record<string, unknown>): Promise<void>;
}

function makeKit(major: string, m: Modules): Kit {
  const asInvokable = <I, O>(runnable: unknown) => runnable as Invokable<I, O>;
  const prompt = () =>
    m.prompts.ChatPromptTemplate.fromMessages([
      ['system', 'Be brief.'],
      ['human', '{question}'],
    ]);
  const parser = () => new m.parsers.StringOutputParser();

  class UsageChatModel extends m.chatModels.BaseChatModel {
    _llmType() {
      return 'usage-fake';
    }
    async _generate() {
      const message = new m.messages.AIMessage({
        content: 'forty-two',
        usage_metadata: {
          input_tokens: 11,
          output_tokens: 3,
          total_tokens: 14,
          input_token_details: { cache_read: 4 },
          output_token_details: { reasoning: 2 },
        },
        response_metadata: { model_name: 'usage-model-2025', finish_reason: 'length', id: 'resp_123' },
      });
      return { generations: [{ text: 'forty-two', message }] };
    }
  }

  class SlowEchoChatModel extends m.testing.FakeChatModel {
    readonly #sleepMs: number;
    constructor(sleepMs: number) {
      super({});
      this.#sleepMs = sleepMs;
    }
    override async _generate(...args: Parameters<testing1.FakeChatModel['_generate']>) {
      await new Promise((resolve) => setTimeout(resolve, this.#sleepMs));
      return super._generate(...args);
    }
  }

  return {
    major,
    stringTool: (name, fn) => m.tools.tool(fn, { name, description: `${name} tool` }) as never,
    chain: (responses, options = {}) =>
      asInvokable(
        prompt()
          .pipe(new m.testing.FakeListChatModel({ responses, sleep: options.sleepMs }))
          .pipe(parser()),
      ),
    echoChain: (sleepMs) =>
      asInvokable(
        prompt()
          .pipe(sleepMs === undefined ? new m.testing.FakeChatModel({}) : new SlowEchoChatModel(sleepMs))
          .pipe(parser()),
      ),
    failingChain: (message) =>
      asInvokable(prompt().pipe(new m.testing.FakeStreamingChatModel({ thrownErrorString: message }))),
    usageModel: () => asInvokable(new UsageChatModel({})),
    llm: (response) => asInvokable(new m.testing.FakeLLM({ response })),
    addTool: () =>
      asInvokable(
        m.tools.tool(({ a, b }: { a: number; b: number }) => String(a + b), {
          name: 'add',
          description: 'Adds two numbers.',
          schema: z.object({ a: z.number(), b: z.number() }),
        }),
      ),
    retriever: (texts) =>
      asInvokable(
        new m.testing.FakeRetriever({
          output: texts.map((text, i) => new m.documents.Document({ pageContent: text, metadata: { rank: i } })),
        }),
      ),
    lambda: (fn) => asInvokable(m.runnables.RunnableLambda.from(fn)),
    async agentRun(callbacks) {
      const callbackManager = m.manager.CallbackManager.configure(callbacks as never);
      const run = await callbackManager?.handleChainStart(
        { lc: 1, type: 'not_implemented', id: ['AgentExecutor'] },
        {
          input: 'What is 2 + 2?',
        },
      );
      if (!run) throw new Error('no run manager');
      return {
        action: (tool, toolInput) => run.handleAgentAction({ tool, toolInput: toolInput as string, log: 'thinking' }),
        async finish(returnValues) {
          await run.handleAgentEnd({ returnValues, log: 'done' });
          await run.handleChainEnd(returnValues);
        },
      };
    },
  };
}

export const core1 = makeKit('1.x', {
  manager: manager1,
  documents: documents1,
  chatModels: chatModels1,
  messages: messages1,
  parsers: parsers1,
  prompts: prompts1,
  runnables: runnables1,
  tools: tools1,
  testing: testing1,
});

export const core03 = makeKit('0.3', {
  manager: manager03,
  documents: documents03,
  chatModels: chatModels03,
  messages: messages03,
  parsers: parsers03,
  prompts: prompts03,
  runnables: runnables03,
  tools: tools03,
  testing: testing03,
} as unknown as Modules);

export const kits: Kit[] = [core1, core03];
