/**
 * Access tokens for one realm, refreshed before they expire and never twice at once: concurrent
 * callers that find the token stale share one refresh (single flight), and the rotated refresh
 * token Intuit returns is saved before anyone uses the new access token. The realm's Durable
 * Object holds one of these, so refreshes are serialized per realm across the whole deployment.
 */
import type { TokenSource } from "./client.ts";
import { QboError } from "./errors.ts";
import { accessTokenNeedsRefresh, REFRESH_MARGIN_MS, refreshTokenExpired, type TokenSet } from "./oauth.ts";

/** Where the tokens live (encrypted, in the realm's Durable Object). */
export interface TokenVault {
  load(): Promise<TokenSet | undefined>;
  save(tokens: TokenSet): Promise<void>;
}

export interface RefreshingTokenSourceOptions {
  vault: TokenVault;
  /** Calls Intuit's token endpoint with a refresh token. */
  refresh: (refreshToken: string) => Promise<TokenSet>;
  now: () => number;
  marginMs?: number;
}

export class RefreshingTokenSource implements TokenSource {
  private cached: TokenSet | undefined;
  private inflight: Promise<TokenSet> | undefined;
  /** Refreshes performed (for status and tests). */
  refreshes = 0;

  constructor(private readonly o: RefreshingTokenSourceOptions) {}

  async accessToken(): Promise<string> {
    const tokens = await this.current();
    if (!accessTokenNeedsRefresh(tokens, this.o.now(), this.o.marginMs ?? REFRESH_MARGIN_MS)) return tokens.access_token;
    return (await this.refreshOnce(tokens)).access_token;
  }

  async refreshAfterRejection(rejected: string): Promise<string> {
    const tokens = await this.current();
    // Someone already refreshed since this token was handed out: use theirs.
    if (tokens.access_token !== rejected) return tokens.access_token;
    return (await this.refreshOnce(tokens)).access_token;
  }

  /** Forgets the cached copy (after the vault was changed elsewhere, e.g. a new connection). */
  reset(): void {
    this.cached = undefined;
  }

  private async current(): Promise<TokenSet> {
    if (this.inflight) return this.inflight;
    this.cached ??= await this.o.vault.load();
    if (!this.cached) throw new QboError("QBO_NOT_CONNECTED", "QuickBooks is not connected for this company: connect it again");
    return this.cached;
  }

  private refreshOnce(stale: TokenSet): Promise<TokenSet> {
    this.inflight ??= (async () => {
      if (refreshTokenExpired(stale, this.o.now())) {
        throw new QboError("QBO_NOT_CONNECTED", "The QuickBooks refresh token has expired (100 days without use): connect the company again");
      }
      const next = await this.o.refresh(stale.refresh_token);
      await this.o.vault.save(next);
      this.cached = next;
      this.refreshes++;
      return next;
    })().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }
}
