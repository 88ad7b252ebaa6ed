export * from './types.ts';
export * from './builders.ts';
export { MessageValidationError, type ValidationProblem } from './checker.ts';
export { validateMessage, validateRecipients, type MessageTarget } from './validate.ts';
export { buildSendBody, parseSendBody, type SendOptions, type SendBody, type ParsedSendBody } from './send-body.ts';
export { robotMessage, validateRobotMessage, type RobotMessage, type RobotMsgType, type RobotMessageBodies, type RobotTextBody, type RobotNewsArticle } from './robot.ts';
