/** A `VariableOut`, a plain one the caller owns, unless overridden. */
export function variable(overrides: Record<string, unknown> = {}) {
  return {
    path: "u/ada/region",
    is_secret: false,
    value: "eu-west-1",
    description: "Where the reports run",
    created_by: "ada@example.com",
    updated_by: "ada@example.com",
    created_at: "2025-01-02T10:00:00Z",
    updated_at: "2025-01-02T10:00:00Z",
    access: "owner",
    ...overrides,
  };
}

export const VARIABLES = [
  variable(),
  variable({ path: "f/ops/db_password", is_secret: true, value: null, description: "Reporting database" }),
  variable({ path: "f/ops/api_key", is_secret: true, value: null, description: "", access: "view" }),
];

/** A `ResourceListOut`. */
export function resourceSummary(overrides: Record<string, unknown> = {}) {
  return {
    path: "f/ops/reports_db",
    resource_type: "postgresql",
    description: "Reporting database",
    created_by: "ada@example.com",
    updated_at: "2025-01-02T10:00:00Z",
    access: "owner",
    ...overrides,
  };
}

/** A `ResourceOut`: the list's fields, the value as stored and more dates. */
export function resource(overrides: Record<string, unknown> = {}) {
  return {
    ...resourceSummary(),
    value: { host: "db.internal", port: 5432, user: "reports", password: "$var:f/ops/db_password", dbname: "reports" },
    created_at: "2025-01-02T10:00:00Z",
    updated_by: "ada@example.com",
    ...overrides,
  };
}

const SECRET = { type: "string", format: "password" };

/** `GET …/resources/types`: two built-ins (as the backend defines them) and a custom one. */
export const TYPES = [
  {
    name: "postgresql",
    description: "A PostgreSQL database",
    builtin: true,
    schema: {
      type: "object",
      properties: {
        host: { type: "string", description: "Name or address of the server" },
        port: { type: "integer", default: 5432, minimum: 1, maximum: 65535 },
        user: { type: "string" },
        password: { ...SECRET, description: "Store it as a secret: $var:<path>" },
        dbname: { type: "string", title: "Database" },
        sslmode: {
          type: "string",
          enum: ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"],
          default: "prefer",
        },
      },
      required: [],
      additionalProperties: true,
    },
  },
  {
    name: "sqlite",
    description: "A SQLite database file",
    builtin: true,
    schema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
  },
  {
    name: "weather_api",
    description: "Our weather provider",
    builtin: false,
    schema: { type: "object", properties: { token: SECRET }, required: ["token"] },
  },
];
