/**
 * The reference's task_info template (rayvision_utils.constants.TASK_INFO),
 * every value a string. Kept here until @openfarm/protocol exports the same
 * template; the analyzer copies it per job, never mutates it.
 */
export const TASK_INFO_TEMPLATE: Readonly<Record<string, string>> = Object.freeze({
  task_id: '',
  user_id: '',
  project_name: '',
  project_id: '',
  cg_id: '',
  platform: '2',
  channel: '4',
  os_name: '0',
  ram: '64',
  input_cg_file: '',
  input_project_path: '',
  frames_per_task: '1',
  pre_frames: '000',
  stop_after_test: '2',
  job_stop_time: '259200',
  task_stop_time: '0',
  time_out: '43200',
  tiles_type: 'block',
  tiles: '1',
  is_layer_rendering: '1',
  enable_layered: '0',
  render_layer_type: '0',
  is_distribute_render: '0',
  distribute_render_node: '3',
  is_picture: '0',
  hardwareConfigId: '',
  graphics_cards_num: '2',
});
