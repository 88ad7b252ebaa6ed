/**
 * App group chats (appchat, wecom-protocol.md §9.1) and what group robots posted (§9.2).
 */

export interface AppChat {
  chatid: string;
  name: string;
  owner: string;
  userlist: string[];
  /** 0 normal, 1 class group. */
  chat_type: 0 | 1;
  /** The app that created it: only that app may update it or send to it (86008). */
  agentId: number;
}

export interface RobotMessage {
  /** The robot's key is its credential; tests look messages up by the robot's name or index instead. */
  robot: string;
  msgtype: string;
  content: Record<string, unknown>;
  sentAt: number;
}
