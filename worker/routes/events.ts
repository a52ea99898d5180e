import { Hono } from "hono";
import { z } from "zod";
import { EVENT_TYPES } from "../../src/events/canonical.ts";
import type { AppEnv } from "../env.ts";
import type { EventPage } from "../../durable-objects/company-log.ts";
import { companyLog, companyOf, validate } from "../http.ts";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a day as YYYY-MM-DD");
const eventsQuery = z.object({
  type: z.enum(EVENT_TYPES).optional(),
  entity_id: z.string().min(1).max(256).optional(),
  ids: z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string()).max(90, "at most 90 ids per page"))
    .optional(),
  from: day.optional(),
  to: day.optional(),
  cursor: z.string().regex(/^\d+$/, "must be the next_cursor of a previous page").optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** Pages through a company's canonical events (the evidence drill-down). */
export const events = new Hono<AppEnv>().get("/", async (c) => {
  const companyId = companyOf(c);
  const q = validate(eventsQuery, c.req.query(), "query");
  const page: EventPage = await companyLog(c.env, companyId).listEvents(q);
  return c.json({ company_id: companyId, events: page.events, next_cursor: page.next_cursor });
});
