// Who may do what to chat documents through the Firebase client SDKs: every operation below
// against every actor, allowed exactly for the actors its row names, denied for all others.
// Run: FIRESTORE_EMULATOR_HOST=127.0.0.1:8086 node --test (from tests/rules).
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";

import { assertFails, assertSucceeds } from "@firebase/rules-unit-testing";
import {
  collection, deleteDoc, doc, getDoc, getDocs, limit, onSnapshot, orderBy, query,
  serverTimestamp, setDoc, setLogLevel, Timestamp, updateDoc, where,
} from "firebase/firestore";

import {
  ACTORS, BLOCKED_BYSTANDER, BUYER, MESSAGE, RECEIVED, ROOM, VENDOR, clientOf, seed,
  startEnvironment,
} from "./support.mjs";

const MEMBERS = ["member (buyer)", "other member (vendor)"];
const NOBODY = [];
// Asking for one's own rooms is allowed to anyone signed in and not blocked (a non-member
// simply gets none of this room).
const SIGNED_IN_UNBLOCKED = [...MEMBERS, "non-member customer", "admin"];

const own = (actor) => actor.uid ?? "anonymous";
const otherMember = (actor) => (actor.uid === BUYER ? VENDOR : BUYER);
const room = (db) => doc(db, "rooms", ROOM);
const message = (db, id = MESSAGE) => doc(db, "rooms", ROOM, "messages", id);
const marker = (db, uid) => doc(db, "rooms", ROOM, "reads", uid);
const validSeen = (actor) => RECEIVED[actor.uid] ?? 0;

// [operation, actors allowed, (db, actor) => the SDK call, the read marker to seed first]
const TABLE = [
  ["get the room", MEMBERS, (db) => getDoc(room(db))],
  ["list rooms without a members filter", NOBODY, (db) => getDocs(collection(db, "rooms"))],
  ["query own rooms (members array-contains own uid, newest first)", SIGNED_IN_UNBLOCKED,
    (db, actor) => getDocs(query(collection(db, "rooms"),
      where("members", "array-contains", own(actor)), orderBy("last_message_at", "desc")))],
  ["query the buyer's rooms (members array-contains the buyer's uid)", ["member (buyer)"],
    (db) => getDocs(query(collection(db, "rooms"), where("members", "array-contains", BUYER)))],
  ["create a room", NOBODY, (db, actor) => setDoc(doc(db, "rooms", "f".repeat(32)), {
    members: [own(actor), VENDOR], buyer_id: own(actor), vendor_id: VENDOR })],
  ["update the room (own unread count)", NOBODY,
    (db, actor) => updateDoc(room(db), { [`received.${own(actor)}`]: 0 })],
  ["update the room (add oneself to members)", NOBODY,
    (db, actor) => updateDoc(room(db), { members: [BUYER, VENDOR, own(actor)] })],
  ["delete the room", NOBODY, (db) => deleteDoc(room(db))],
  ["get a message", MEMBERS, (db) => getDoc(message(db))],
  ["list messages (newest first)", MEMBERS, (db) => getDocs(query(
    collection(db, "rooms", ROOM, "messages"), orderBy("sort_key", "desc"), limit(20)))],
  ["create a message", NOBODY, (db, actor) => setDoc(message(db, "c".repeat(32)), {
    kind: "text", sender_id: own(actor), text: "hi", order_id: null, sent_at: serverTimestamp(),
  })],
  ["update a message", NOBODY, (db) => updateDoc(message(db), { text: "edited" })],
  ["delete a message", NOBODY, (db) => deleteDoc(message(db))],
  ["create own read marker", MEMBERS, (db, actor) => setDoc(marker(db, own(actor)),
    { seen: validSeen(actor), read_at: serverTimestamp() })],
  ["update own read marker", MEMBERS, (db, actor) => updateDoc(marker(db, own(actor)),
    { seen: validSeen(actor), read_at: serverTimestamp() }), own],
  ["get own read marker", MEMBERS, (db, actor) => getDoc(marker(db, own(actor))), own],
  ["delete own read marker", NOBODY, (db, actor) => deleteDoc(marker(db, own(actor))), own],
  ["create own read marker with an extra field", NOBODY, (db, actor) => setDoc(
    marker(db, own(actor)), { seen: validSeen(actor), read_at: serverTimestamp(), extra: 1 })],
  ["create own read marker without read_at", NOBODY,
    (db, actor) => setDoc(marker(db, own(actor)), { seen: validSeen(actor) })],
  ["create own read marker with seen above received", NOBODY, (db, actor) => setDoc(
    marker(db, own(actor)), { seen: validSeen(actor) + 1, read_at: serverTimestamp() })],
  ["create own read marker with a negative seen", NOBODY, (db, actor) => setDoc(
    marker(db, own(actor)), { seen: -1, read_at: serverTimestamp() })],
  ["create own read marker with a fractional seen", NOBODY, (db, actor) => setDoc(
    marker(db, own(actor)), { seen: 0.5, read_at: serverTimestamp() })],
  ["create own read marker with a client timestamp", NOBODY, (db, actor) => setDoc(
    marker(db, own(actor)), { seen: validSeen(actor), read_at: Timestamp.now() })],
  ["create the other member's read marker", NOBODY, (db, actor) => setDoc(
    marker(db, otherMember(actor)), { seen: 0, read_at: serverTimestamp() })],
  ["update the other member's read marker", NOBODY, (db, actor) => updateDoc(
    marker(db, otherMember(actor)), { seen: 0, read_at: serverTimestamp() }), otherMember],
  ["get the other member's read marker", NOBODY,
    (db, actor) => getDoc(marker(db, otherMember(actor))), otherMember],
  ["get own blocked document", NOBODY, (db, actor) => getDoc(doc(db, "blocked", own(actor)))],
  ["get another account's blocked document", NOBODY,
    (db) => getDoc(doc(db, "blocked", BLOCKED_BYSTANDER))],
  ["list blocked documents", NOBODY, (db) => getDocs(collection(db, "blocked"))],
  ["delete own blocked document (unblock oneself)", NOBODY,
    (db, actor) => deleteDoc(doc(db, "blocked", own(actor)))],
  ["write a blocked document", NOBODY,
    (db) => setDoc(doc(db, "blocked", VENDOR), { blocked_at: serverTimestamp() })],
  ["read a collection no rule names", NOBODY, (db) => getDocs(collection(db, "accounts"))],
];

// A denied write is the expected outcome here; the SDK would log each one as an error.
setLogLevel("silent");

let testEnv;
before(async () => { testEnv = await startEnvironment(); });
after(async () => { await testEnv?.cleanup(); });

for (const actor of ACTORS) {
  describe(actor.name, () => {
    let db;
    before(() => { db = clientOf(testEnv, actor); });
    beforeEach(() => testEnv.clearFirestore());

    for (const [operation, allowed, call, seedMarker] of TABLE) {
      const verdict = allowed.includes(actor.name) ? "allowed" : "denied";
      it(`${operation}: ${verdict}`, async () => {
        // Given the room as the server wrote it (and the blocked document, for a blocked member)
        await seed(testEnv, { blocked: actor.blocked, marker: seedMarker?.(actor) ?? null });
        // When the actor makes the call, Then the rules allow or deny it
        const expectation = verdict === "allowed" ? assertSucceeds : assertFails;
        await expectation(call(db, actor));
      });
    }
  });
}

describe("what an allowed read returns", () => {
  beforeEach(() => testEnv.clearFirestore());

  it("a member's own-rooms query returns the room; a non-member's returns none", async () => {
    // Given the seeded room of the buyer and the vendor
    await seed(testEnv);
    const [buyer, stranger] = [ACTORS[0], ACTORS[2]];
    const roomsOf = (actor) => getDocs(query(collection(clientOf(testEnv, actor), "rooms"),
      where("members", "array-contains", actor.uid)));
    // When each asks for their rooms
    const [mine, theirs] = await Promise.all([roomsOf(buyer), roomsOf(stranger)]);
    // Then the buyer sees exactly the room, the stranger nothing
    assert.deepEqual(mine.docs.map((d) => d.id), [ROOM]);
    assert.deepEqual(theirs.docs.map((d) => d.id), []);
  });

  const cutOff = "a member's open listener is cut off when the account is blocked";
  it(cutOff, { timeout: 10_000 }, async () => {
    // Given the buyer listening to the room's messages
    await seed(testEnv);
    const db = clientOf(testEnv, ACTORS[0]);
    const outcomes = [];
    let settle;
    const settled = new Promise((resolve) => { settle = resolve; });
    const firstSnapshot = new Promise((resolve) => {
      const stop = onSnapshot(collection(db, "rooms", ROOM, "messages"), (snapshot) => {
        outcomes.push(`snapshot of ${snapshot.size}`);
        if (outcomes.length === 1) resolve(); else settle(stop());
      }, (error) => { outcomes.push(error.code); settle(); });
    });
    await firstSnapshot;
    // When the block consumer writes blocked/{uid} and the vendor's next message arrives
    await testEnv.withSecurityRulesDisabled(async (context) => {
      const server = context.firestore();
      await setDoc(doc(server, "blocked", BUYER), { blocked_at: serverTimestamp() });
      await setDoc(message(server, "d".repeat(32)), { kind: "text", text: "after the block" });
    });
    await settled;
    // Then the listener ends with a denial instead of delivering the message
    assert.deepEqual(outcomes, ["snapshot of 1", "permission-denied"]);
  });
});
