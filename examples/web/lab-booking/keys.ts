/** The query keys of the screens, as the seed's hand-written context named them. */
export const KEYS = {
  equipment: ["equipment"],
  sessions: ["sessions"],
  inbox: ["inbox"],
  unread: ["unread-count"],
  sent: ["samples-sent"],
  users: ["users"],
} as const;
