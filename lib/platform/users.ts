/**
 * @module
 * People who signed in: one record per DID (the identity), with the handle and display name seen at the last
 * login. Created on first login; signup then asks for the slug of their first wiki. The records live in the
 * platform store (lib/platform/store.ts), which also deletes them with the account.
 */
export { getUser, upsertUserOnLogin, type UserRecord } from "./store.ts";
