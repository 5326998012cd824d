// Verifies Open Badges 3.0 credentials with the Digital Credentials Consortium's verifier-core, a verifier the LMS
// does not use. Reads a JSON array of credentials from the file named first on the command line and writes one
// verdict for each, "valid", "revoked" or "invalid: <why>", to the file named second (the library prints notes of
// its own on the console). The documents a credential names, such as its status list, are fetched over HTTP.
import {readFileSync, writeFileSync} from 'node:fs';
import {verifyCredential} from '@digitalcredentials/verifier-core';

function verdict(result) {
  if (result.errors?.length) return `invalid: ${result.errors.map((e) => e.name).join(', ')}`;
  const checks = Object.fromEntries((result.log ?? []).map((entry) => [entry.id, entry.valid]));
  if (checks.valid_signature !== true) return 'invalid: signature';
  if (checks.revocation_status === false) return 'revoked';
  if (checks.revocation_status !== true) return 'invalid: status not checked';
  if (checks.expiration === false) return 'invalid: expired';
  return 'valid';
}

const credentials = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const verdicts = [];
for (const credential of credentials) {
  verdicts.push(verdict(await verifyCredential({credential, knownDIDRegistries: []})));
}
writeFileSync(process.argv[3], JSON.stringify(verdicts));
