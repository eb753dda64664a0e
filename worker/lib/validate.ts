import { validator } from "hono/validator";
import * as v from "valibot";
import { issueFields, summarizeFields } from "../contract";
import { ApiError } from "./errors";

/** Hono validator backed by a valibot schema; failures become 400 `invalid` with per-field reasons. */
export const valid = <Target extends "json" | "query" | "param", Schema extends v.GenericSchema>(target: Target, schema: Schema) =>
  validator(target, (value): v.InferOutput<Schema> => {
    const result = v.safeParse(schema, value);
    if (!result.success) {
      const fields = issueFields(result.issues);
      throw new ApiError(400, "invalid", summarizeFields(fields), fields);
    }
    return result.output;
  });
