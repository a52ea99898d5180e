/** A scripted `fetch` for tests: answers come from a queue or a handler; every request is recorded. */
export interface RecordedRequest {
  url: URL;
  method: string;
  headers: Headers;
  body: string;
}

export type Answer = Response | (() => Response | Promise<Response>) | Error;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json;charset=utf-8", ...headers },
  });
}

export class FetchDouble {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: Answer[] = [];
  constructor(private readonly handler?: (request: RecordedRequest) => Answer | Promise<Answer>) {}

  /** Answers to give, in order, before falling back to the handler. */
  answer(...answers: Answer[]): this {
    this.queue.push(...answers);
    return this;
  }

  fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const recorded: RecordedRequest = {
      url: new URL(request.url),
      method: request.method,
      headers: request.headers,
      body: request.body ? await request.text() : "",
    };
    this.requests.push(recorded);
    const next = this.queue.shift() ?? (this.handler ? await this.handler(recorded) : undefined);
    if (next === undefined) throw new Error(`FetchDouble: no answer for ${request.method} ${request.url}`);
    if (next instanceof Error) throw next;
    return typeof next === "function" ? next() : next;
  };
}
