// A customer profile as other systems send it (PUT /v1/customers/:id, `outreach customer upsert`)
// and as the sequence simulator reads it. Validation lives in client/api/schemas.ts.
export interface CustomerInput {
  email: string;
  givenName?: string | null;
  familyName?: string | null;
  title?: string | null;
  gender?: string | null;
  locale?: string;
  timeZone?: string | null;
  country?: string | null;
  region?: string | null;
  formality?: 'formal' | 'informal' | null;
  attributes?: Record<string, unknown>;
  consent?: { marketing?: boolean };
}
