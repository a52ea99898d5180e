import { describe, expect, it } from "vitest";
import { attempt } from "./api.js";
import { describeError } from "./notice.js";

describe("describeError (what a page says when the API fails)", () => {
  it("keeps the API's message and request id and says what to do", () => {
    const error = Object.assign(new Error("No incident with id x"), { status: 404, code: "INCIDENT_NOT_FOUND", requestId: "req_1" });
    expect(describeError(error, "The incident could not be loaded")).toEqual({
      title: "The incident could not be loaded",
      detail: "No incident with id x",
      hint: "Check the link, or pick one from the list.",
      requestId: "req_1",
    });
  });

  it("tells a missing scan, an expired session and an unreachable Worker apart", () => {
    expect(describeError({ status: 409, code: "NO_SCAN", message: "no scan" }, "x").hint).toMatch(/Run a scan/);
    expect(describeError({ status: 422, code: "VALIDATION_FAILED", message: "bad" }, "x").hint).toBeNull();
    expect(describeError({ status: 401, message: "expired" }, "x").hint).toMatch(/sign in again/);
    expect(describeError(new TypeError("Failed to fetch"), "x")).toMatchObject({ detail: "network error", hint: expect.stringMatching(/Worker running/) });
  });
});

describe("attempt (an API call that does not throw)", () => {
  it("gives the value, or the fallback and the error", async () => {
    expect(await attempt(Promise.resolve(1))).toEqual([1, null]);
    const failure = new Error("down");
    expect(await attempt(Promise.reject(failure), [])).toEqual([[], failure]);
  });
});
