import type { ComponentType } from "react";
import type { FieldKind } from "../schemaKind";
import { DateTimeWidget } from "./DateTimeWidget";
import { FileWidget } from "./FileWidget";
import { JsonWidget } from "./JsonWidget";
import { NumberWidget } from "./NumberWidget";
import { PasswordWidget } from "./PasswordWidget";
import { ResourceWidget } from "./ResourceWidget";
import { SelectWidget } from "./SelectWidget";
import { SwitchWidget } from "./SwitchWidget";
import { DateWidget, EmailWidget, TextareaWidget, TextWidget, UriWidget } from "./TextWidget";
import type { WidgetProps } from "./types";
import "../forms.css";

/** Kinds drawn by one input; arrays and objects are made of fields (`ArrayField`, `ObjectField`). */
export type LeafKind = Exclude<FieldKind, "array" | "object">;

/** The one registry of widgets: a new kind is a file here and a line below (and its case in `resolveField`). */
export const WIDGETS: Record<LeafKind, ComponentType<WidgetProps>> = {
  string: TextWidget,
  textarea: TextareaWidget,
  email: EmailWidget,
  uri: UriWidget,
  date: DateWidget,
  datetime: DateTimeWidget,
  bytes: FileWidget,
  password: PasswordWidget,
  resource: ResourceWidget,
  integer: NumberWidget,
  number: NumberWidget,
  boolean: SwitchWidget,
  enum: SelectWidget,
  json: JsonWidget,
};

export type { WidgetProps } from "./types";
