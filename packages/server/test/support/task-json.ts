/** task.json documents as the analyzers write them (every task_info value a string). */

export function mayaTaskJson(taskId: number, overrides: Record<string, string> = {}) {
  const layer = (frames: string, camera: string) => ({
    renderable: '1',
    is_default_camera: '1',
    option: '',
    env: {},
    common: {
      renderer: 'arnold',
      image_format: 'exr',
      frames,
      width: '1920',
      height: '1080',
      render_camera: [camera],
    },
  });
  return {
    task_info: {
      task_id: String(taskId),
      user_id: '',
      project_name: 'shots',
      project_id: '',
      cg_id: '2000',
      platform: '2',
      channel: '4',
      os_name: '0',
      ram: '64',
      input_cg_file: 'D:/proj/scenes/shot010.ma',
      input_project_path: '',
      frames_per_task: '3',
      pre_frames: '100',
      stop_after_test: '1',
      job_stop_time: '600',
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
      ...overrides,
    },
    software_config: { cg_name: 'Maya', cg_version: '2022', plugins: { mtoa: '5.3.4.1' } },
    scene_info_render: {
      beauty: layer('1-10[1]', 'persp'),
      shadow: layer('1-4[1]', 'shotCam'),
      off: { ...layer('1-100[1]', 'persp'), renderable: '0' },
    },
  };
}

export function blenderTaskJson(taskId: number, overrides: Record<string, string> = {}) {
  return {
    task_info: {
      task_id: String(taskId),
      cg_id: '2007',
      platform: '2',
      input_cg_file: '/home/artist/cube.blend',
      frames_per_task: '1',
      pre_frames: '000',
      stop_after_test: '2',
      job_stop_time: '259200',
      ...overrides,
    },
    software_config: { cg_name: 'Blender', cg_version: '3.4', plugins: {} },
    scene_info: {
      common: {
        frames: '1-5[2]',
        width: '320',
        height: '240',
        Render_Format: 'PNG',
        scene_name: ['Scene'],
        camera_name: "['Camera']",
      },
    },
  };
}
