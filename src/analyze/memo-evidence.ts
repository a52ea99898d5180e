/**
 * Remembers the answers of an evidence source for the length of one scan's analysis: blast radius
 * and RCA often ask for the same events (an incident's late orders, its overdue invoices), and at the
 * edge each question is a round trip to the company's log. Answers are shared, never copied: callers
 * must not mutate them.
 */
import type { EvidenceEvent, EvidenceQuery, EvidenceSource } from "../evidence.ts";

export function memoizeEvidence(source: EvidenceSource): EvidenceSource {
  const answers = new Map<string, Promise<EvidenceEvent[]>>();
  return {
    events(query: EvidenceQuery): Promise<EvidenceEvent[]> {
      const key = `${[...query.types].sort().join(",")}|${query.from}|${query.to}|${query.limit}`;
      let answer = answers.get(key);
      if (!answer) answers.set(key, (answer = source.events(query)));
      return answer;
    },
  };
}
