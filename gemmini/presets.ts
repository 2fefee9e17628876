// Named Gemmini configurations users start from. Each says where it comes from:
// a configuration in Gemmini's Scala sources, or "tc variant" when tc derived it.
//
// Sources (ucb-bar/gemmini, src/main/scala/gemmini/):
// - Configs.scala, GemminiConfigs.defaultConfig: the default Gemmini (the values
//   behind the published gemmini_params.h: BANK_ROWS 4096, ACC_ROWS 1024).
//   Note: the newest stored Configs.scala (commit 0064b94) changed defaultConfig
//   to 128 KiB / 128 KiB, WS only, 64 requests in flight; tc's default keeps the
//   long-standing values that the published header and the documentation use.
// - Configs.scala, chipConfig: defaultConfig with 64 KiB / 32 KiB and WS only.
// - CustomConfigs.scala, GemminiCustomConfigs.highPerfInferenceConfig: DIM 32,
//   512 KiB scratchpad, 128 KiB accumulator.
// - ConfigsFP.scala, GemminiFPConfigs.FP32DefaultConfig: DIM 4, float32
//   everywhere, 256 KiB scratchpad in 4 banks, 64 KiB accumulator in 1 bank.

import type { GemminiConfig } from './config.js';

export interface Preset {
  readonly config: GemminiConfig;
  /** Where the configuration comes from. */
  readonly source: string;
}

const DEFAULT_CONFIG: GemminiConfig = {
  name: 'default',
  dim: 16, // meshRows = meshColumns = 16, tileRows = tileColumns = 1
  tileRows: 1,
  tileColumns: 1,
  inputType: 'int8', // inputType = SInt(8.W)
  accType: 'int32', // accType = SInt(32.W)
  outputType: 'int8', // acc_scale_args saturates to INT8 on mvout
  spatialArrayOutputBits: 20, // spatialArrayOutputType = SInt(20.W)
  dataflow: 'both', // dataflow = Dataflow.BOTH
  scratchpadKiB: 256, // sp_capacity = CapacityInKilobytes(256)
  scratchpadBanks: 4, // sp_banks = 4
  accumulatorKiB: 64, // acc_capacity = CapacityInKilobytes(64)
  accumulatorBanks: 2, // acc_banks = 2
  scratchpadSinglePorted: true, // sp_singleported = true
  accumulatorSinglePorted: false, // acc_singleported = false
  dmaBusWidthBits: 128, // dma_buswidth = 128
  dmaMaxBytes: 64, // dma_maxbytes = 64
  maxInFlightRequests: 16, // max_in_flight_mem_reqs = 16
  memLatencyCycles: 100, // tc assumption (see config.ts)
  activations: ['none', 'relu', 'layernorm', 'igelu', 'softmax'], // has_nonlinear_activations = true
  hasLoopWs: true,
  hasLoopConv: true,
  hasMvinScale: true, // mvin_scale_args = Some(... Float(8, 24) ...)
  hasMvinAccScale: false, // mvin_scale_acc_args = None
  accReadFullWidth: true, // acc_read_full_width = true
  ldReservationEntries: 8, // reservation_station_entries_ld = 8
  exReservationEntries: 16, // reservation_station_entries_ex = 16
  stReservationEntries: 4, // reservation_station_entries_st = 4
  ldQueueLength: 8, // ld_queue_length = 8
  exQueueLength: 8, // ex_queue_length = 8
  stQueueLength: 2, // st_queue_length = 2
};

// DIM 4 and 8 scale both memories with DIM, so that each keeps the default's
// 4 × 4096 scratchpad rows and 1024 accumulator rows. DIM 32 with the same rule
// is exactly highPerfInferenceConfig.
function scaledDefault(name: string, dim: number): GemminiConfig {
  const factor = dim / DEFAULT_CONFIG.dim;
  return {
    ...DEFAULT_CONFIG,
    name,
    dim,
    scratchpadKiB: DEFAULT_CONFIG.scratchpadKiB * factor,
    accumulatorKiB: DEFAULT_CONFIG.accumulatorKiB * factor,
  };
}

const PRESET_LIST: readonly Preset[] = [
  { config: DEFAULT_CONFIG, source: 'Configs.scala defaultConfig' },
  { config: scaledDefault('dim4', 4), source: 'tc variant: default with DIM 4, memories scaled (64/16 KiB)' },
  { config: scaledDefault('dim8', 8), source: 'tc variant: default with DIM 8, memories scaled (128/32 KiB)' },
  {
    config: scaledDefault('dim32', 32),
    source: 'CustomConfigs.scala highPerfInferenceConfig (DIM 32, 512/128 KiB)',
  },
  {
    // Configs.scala chipConfig = defaultConfig.copy(sp_capacity = 64 KiB, acc_capacity = 32 KiB,
    // dataflow = WS, acc_singleported = true, ...) in the version whose defaultConfig tc uses.
    // Its ex_read_from_acc/ex_write_to_spad = false and hardcode_d_to_garbage_addr
    // have no tc field: programs for it must simply not rely on them.
    config: {
      ...DEFAULT_CONFIG,
      name: 'chip',
      dataflow: 'WS',
      scratchpadKiB: 64,
      accumulatorKiB: 32,
      accumulatorSinglePorted: true,
    },
    source: 'Configs.scala chipConfig (WS only, 64/32 KiB)',
  },
  {
    config: {
      ...DEFAULT_CONFIG,
      name: 'fp32',
      dim: 4, // defaultFPConfig: meshRows = meshColumns = 4
      inputType: 'float32', // FP32DefaultConfig: inputType = Float(8, 24)
      accType: 'float32', // accType = Float(8, 24)
      outputType: 'float32',
      spatialArrayOutputBits: 32, // spatialArrayOutputType = Float(8, 24)
      scratchpadKiB: 256, // sp_capacity = CapacityInKilobytes(256)
      scratchpadBanks: 4, // sp_banks = 4
      accumulatorKiB: 64, // acc_capacity = CapacityInKilobytes(64)
      accumulatorBanks: 1, // acc_banks = 1
      // defaultFPConfig sets has_nonlinear_activations = true; tc's fp32 preset
      // lists only none and relu until the float forms of the others are modelled.
      activations: ['none', 'relu'],
      hasMvinScale: true, // mvin_scale_args = Some(... Float(8, 24) ...)
      hasMvinAccScale: true, // mvin_scale_acc_args = Some(... Float(8, 24) ...)
    },
    source: 'ConfigsFP.scala FP32DefaultConfig',
  },
];

export const PRESETS: Readonly<Record<string, Preset>> = Object.fromEntries(
  PRESET_LIST.map((preset) => [preset.config.name, preset]),
);

export function presetNames(): string[] {
  return PRESET_LIST.map((preset) => preset.config.name);
}

export function getPreset(name: string): Preset | undefined {
  return Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
}
