/**
 * Review flags on the incident list: what the detector saw but held back (LOW confidence, e.g. a
 * margin that fell because customers paid later), with its reason in the incident's note.
 */

/** The list's "Show" choices, the first the default. */
export const SHOW_CHOICES = ["incidents and review flags", "incidents", "review flags"];

/** Whether an incident of the list is a review flag (visibility-layer patterns never are). */
export const isReviewFlag = (incident) => incident.source !== "visibility" && (incident.needs_review === true || incident.confidence === "LOW");

/** Whether an incident is shown under a "Show" choice. */
export const shownUnder = (choice, incident) => choice === SHOW_CHOICES[0] || (choice === "review flags") === isReviewFlag(incident);

/** What hovering a review flag says: the detector's first note, or why it exists at all. */
export const flagReason = (incident) => incident.detection_notes?.[0] ?? "Held back by the detector: low confidence.";
