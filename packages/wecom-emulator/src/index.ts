/**
 * @pairview/wecom-emulator: a WeCom (企业微信) server for development and tests.
 *
 *   const emu = await startEmulator({ port: 0 });
 *   // point the SDK at emu.url with emu.corpId / emu.secret / emu.agentId; drive time and faults with emu.control
 *   await emu.close();
 */
export { startEmulator, buildEmulator, type Emulator, type BuiltEmulator } from './emulator.ts';
export {
  DEMO,
  DEFAULT_BEHAVIOUR,
  DEFAULT_LIMITS,
  loadDemoDirectory,
  type AppConfig,
  type Behaviour,
  type CallbackConfig,
  type EmulatorOptions,
  type Limits,
  type RobotConfig,
} from './config.ts';
export { ControlError, type EmulatorControl, type EmulatorStats } from './control/control.ts';
export {
  CallbackNotConfiguredError,
  Directory,
  DirectoryError,
  EmulatorState,
  type CallbackDeliverer,
  type CallbackDelivery,
  type CallbackEvent,
  type CallRecord,
  type CardState,
  type ChangeOrigin,
  type ContactChange,
  type DirectoryData,
  type DirectoryDepartment,
  type DirectoryTag,
  type DirectoryUser,
  type DropReason,
  type EmulatorEvent,
  type EmulatorListener,
  type EmulatorPluginOptions,
  type FaultSpec,
  type InboxMessage,
  type InboxStatus,
  type SentMessage,
} from './state/index.ts';
