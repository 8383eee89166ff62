// The rules test environment: Google's Firestore emulator (FIRESTORE_EMULATOR_HOST), our
// firestore.rules loaded into a project of its own, the actors and the seeded documents.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { initializeTestEnvironment } from "@firebase/rules-unit-testing";
import { doc, serverTimestamp, setDoc, Timestamp } from "firebase/firestore";

const RULES = fileURLToPath(new URL("../../firestore.rules", import.meta.url));
// rules-unit-testing loads the rules per project: a project only these tests use keeps the
// session stack's documents (project demo-bazaar) out of their clearFirestore().
const PROJECT_ID = process.env.BAZAAR_RULES_PROJECT_ID || "demo-bazaar-rules";

export const BUYER = "buyer-1";
export const VENDOR = "vendor-1";
export const STRANGER = "customer-9";
export const ADMIN = "admin-1";
export const BLOCKED_BYSTANDER = "blocked-7";
export const ROOM = "0123456789abcdef0123456789abcdef";
export const MESSAGE = "4b7e2f0c9a8d4e1f8c3b2a1d0e9f8a7b";
// received.<uid>: the messages each member has been sent; a read marker may not claim more.
export const RECEIVED = { [BUYER]: 3, [VENDOR]: 2 };

// blocked: the buyer, after the block consumer wrote blocked/{uid} (the token still valid).
export const ACTORS = [
  { name: "member (buyer)", uid: BUYER },
  { name: "other member (vendor)", uid: VENDOR, claims: { role: "vendor" } },
  { name: "non-member customer", uid: STRANGER, claims: { role: "customer" } },
  { name: "anonymous", uid: null },
  { name: "blocked member", uid: BUYER, blocked: true },
  { name: "admin", uid: ADMIN, claims: { role: "admin" } },
];

/** The emulator's host and port, from FIRESTORE_EMULATOR_HOST ("127.0.0.1:8086"). */
function emulatorAddress() {
  const hostAndPort = process.env.FIRESTORE_EMULATOR_HOST;
  if (!hostAndPort) {
    throw new Error("FIRESTORE_EMULATOR_HOST is not set: start Google's Firestore emulator");
  }
  const [host, port] = hostAndPort.split(":");
  return { host, port: Number(port) };
}

/** A test environment with firestore.rules loaded into the rules tests' project. */
export async function startEnvironment() {
  return initializeTestEnvironment({
    projectId: PROJECT_ID,
    firestore: { ...emulatorAddress(), rules: readFileSync(RULES, "utf8") },
  });
}

/** The actor's Firestore client: signed in with its claims, or anonymous. */
export function clientOf(testEnv, actor) {
  const context = actor.uid === null
    ? testEnv.unauthenticatedContext()
    : testEnv.authenticatedContext(actor.uid, actor.claims || {});
  return context.firestore();
}

/** The documents the server writes: one room, one message, a blocked bystander. */
export async function seed(testEnv, { blocked = false, marker = null } = {}) {
  await testEnv.withSecurityRulesDisabled(async (context) => {
    const db = context.firestore();
    const sentAt = Timestamp.fromMillis(Date.UTC(2027, 0, 5, 9, 30));
    await setDoc(doc(db, "rooms", ROOM), {
      members: [BUYER, VENDOR],
      buyer_id: BUYER,
      vendor_id: VENDOR,
      member_names: { [BUYER]: "Ada", [VENDOR]: "Lovelace Goods" },
      order_ids: ["order-1"],
      created_at: serverTimestamp(),
      last_message: {
        id: MESSAGE, kind: "text", sender_id: VENDOR, text: "Hello", sent_at: sentAt,
      },
      last_message_at: sentAt,
      received: RECEIVED,
      reported: false,
    });
    await setDoc(doc(db, "rooms", ROOM, "messages", MESSAGE), {
      kind: "text", sender_id: VENDOR, text: "Hello", order_id: null, sent_at: sentAt,
      sort_key: `${String(sentAt.toMillis() * 1000).padStart(17, "0")}-${MESSAGE}`,
    });
    await setDoc(doc(db, "blocked", BLOCKED_BYSTANDER), { blocked_at: sentAt });
    if (blocked) {
      await setDoc(doc(db, "blocked", BUYER), { blocked_at: sentAt });
    }
    if (marker) {
      await setDoc(doc(db, "rooms", ROOM, "reads", marker), { seen: 0, read_at: sentAt });
    }
  });
}
