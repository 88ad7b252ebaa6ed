export * from './message.ts';
export * from './media.ts';
export * from './oauth.ts';
export * from './contacts.ts';
export * from './app-chat.ts';
export * from './group-robot.ts';
export * from './jssdk.ts';
