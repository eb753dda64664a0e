import { validator } from "hono/validator";
import * as v from "valibot";
import { issueFields } from "../contract";
import { ApiError } from "./errors";

/** Hono validator backed by a valibot schema; failures become 400 `invalid` with per-field reasons. */
export const valid = <Target extends "json" | "query", Schema extends v.GenericSchema>(target: Target, schema: Schema) =>
  validator(target, (value): v.InferOutput<Schema> => {
    const result = v.safeParse(schema, value);
    if (!result.success) {
      const fields = issueFields(result.issues);
      const summary = Object.entries(fields).map(([field, why]) => `${field}: ${why}`).join("; ");
      throw new ApiError(400, "invalid", summary, fields);
    }
    return result.output;
  });
