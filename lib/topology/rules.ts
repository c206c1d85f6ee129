import { Transport, type Edge } from "@/lib/gen/ipcplay/v1/topology_pb";

/**
 * The shapes a topology's strings must have. One place, so the validation gate,
 * the factory that invents ids and the inspector's hints all agree.
 */

/** Node and edge ids: DNS-like, because a node id is the service name in traces. */
export const ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** Says in words what {@link ID_PATTERN} allows, for problem messages and hints. */
export const ID_RULE =
  'use 1 to 32 characters: lowercase letters a-z, digits and "-", starting with a letter';

/** Queue and topic names; they become part of Redis keys, so no spaces or colons. */
export const CHANNEL_PATTERN = /^[a-zA-Z0-9._-]{1,64}$/;

/** Says in words what {@link CHANNEL_PATTERN} allows. */
export const CHANNEL_RULE = 'use 1 to 64 characters: letters, digits, ".", "_" and "-"';

/** The HTTP methods a REST edge may use. */
export const REST_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type RestMethod = (typeof REST_METHODS)[number];

/**
 * A REST path: starts with "/", and holds no whitespace, control characters,
 * "?" or "#" (the query and fragment are not part of an edge's route).
 */
export const REST_PATH_PATTERN = /^\/[^\s?#\u0000-\u001f\u007f]*$/;

/** The current document format version; the gate migrates older ones up to it. */
export const CURRENT_VERSION = 1;

/** Which member of `Edge.settings` belongs to each transport. */
export const SETTINGS_CASE = {
  [Transport.REST]: "rest",
  [Transport.CONNECT]: "connect",
  [Transport.QUEUE]: "queue",
  [Transport.PUBSUB]: "pubsub",
} as const satisfies Record<Exclude<Transport, Transport.UNSPECIFIED>, NonNullable<Edge["settings"]["case"]>>;

export type SettingsCase = (typeof SETTINGS_CASE)[keyof typeof SETTINGS_CASE];

/** The settings member for a transport, or undefined for UNSPECIFIED and unknown values. */
export function settingsCaseOf(transport: Transport): SettingsCase | undefined {
  return (SETTINGS_CASE as Partial<Record<Transport, SettingsCase>>)[transport];
}
