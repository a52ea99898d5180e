/**
 * The real QuickBooks payloads in shared/fixtures/qbo (beside the repository), for tests.
 * XML fixtures are read through the connector's own XML → JSON reader.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { QboEntity } from "../../src/connectors/qbo/entities.ts";
import { qboXmlToJson } from "../../src/connectors/qbo/xml.ts";

/** `shared/fixtures/qbo/` resolved from this file, so it works from any checkout beside `shared/`. */
export const QBO_FIXTURES = fileURLToPath(new URL("../../../shared/fixtures/qbo/", import.meta.url));

export function qboFixtureText(relative: string): string {
  return readFileSync(QBO_FIXTURES + relative, "utf8");
}

export function qboFixtureBytes(relative: string): Uint8Array {
  return new Uint8Array(readFileSync(QBO_FIXTURES + relative));
}

/** A fixture as QBO JSON (XML fixtures converted). */
export function qboFixtureJson(relative: string): Record<string, unknown> {
  const text = qboFixtureText(relative);
  return relative.endsWith(".xml") ? qboXmlToJson(text) : (JSON.parse(text) as Record<string, unknown>);
}

/** The entity inside a fixture: under its type's key in an envelope, or the bare object. */
export function qboFixtureEntity(relative: string, entityType: string): QboEntity {
  const json = qboFixtureJson(relative);
  const entity = (json[entityType] ?? json) as QboEntity;
  if (typeof entity.Id !== "string") throw new Error(`fixture ${relative} has no ${entityType} with an Id`);
  return entity;
}
