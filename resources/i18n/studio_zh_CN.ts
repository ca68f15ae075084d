<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AvatarLibraryDialog</name>
    <message>
        <source>Avatar Library</source>
        <translation>形象库</translation>
    </message>
    <message>
        <source>Import folder…</source>
        <translation>导入文件夹…</translation>
    </message>
    <message>
        <source>Import .zip…</source>
        <translation>导入 .zip…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Use this avatar</source>
        <translation>使用此形象</translation>
    </message>
    <message>
        <source>Live2D licence: businesses with yearly revenue over 10 million JPY, and &quot;expandable applications&quot; that load users&apos; models, need a separate agreement with Live2D Inc. (&lt;a href=&quot;https://www.live2d.com/en/sdk/license/&quot;&gt;details&lt;/a&gt;). The built-in avatar needs no such licence.</source>
        <translation>Live2D 许可：年收入超过 1000 万日元的企业，以及加载用户模型的“可扩展应用程序”，需要与 Live2D Inc. 另行签订协议（&lt;a href=&quot;https://www.live2d.com/en/sdk/license/&quot;&gt;详情&lt;/a&gt;）。内置形象无需此许可。</translation>
    </message>
    <message>
        <source>Importing {name} …</source>
        <translation>正在导入 {name} …</translation>
    </message>
    <message>
        <source>Imported {name}.</source>
        <translation>已导入 {name}。</translation>
    </message>
    <message>
        <source>Saved. The stage switches to this avatar (at the next start if the engine is off).</source>
        <translation>已保存。舞台将切换到此形象（如果引擎未运行，则在下次启动时切换）。</translation>
    </message>
    <message>
        <source>Choose a Live2D model folder</source>
        <translation>选择 Live2D 模型文件夹</translation>
    </message>
    <message>
        <source>Choose a Live2D model .zip</source>
        <translation>选择 Live2D 模型 .zip</translation>
    </message>
    <message>
        <source>Zip archives (*.zip)</source>
        <translation>Zip 压缩包 (*.zip)</translation>
    </message>
    <message>
        <source>Rename avatar</source>
        <translation>重命名形象</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Remove avatar</source>
        <translation>删除形象</translation>
    </message>
    <message>
        <source>Remove {id} and its files?</source>
        <translation>删除 {id} 及其文件？</translation>
    </message>
</context>
<context>
    <name>AvatarStage</name>
    <message>
        <source>The avatar cannot be shown: {problem}</source>
        <translation>无法显示虚拟形象：{problem}</translation>
    </message>
    <message>
        <source>Avatar stage</source>
        <translation>虚拟形象舞台</translation>
    </message>
</context>
<context>
    <name>AvatarWindow</name>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>1280 × 720 (720p)</source>
        <translation>1280 × 720 (720p)</translation>
    </message>
    <message>
        <source>1920 × 1080 (1080p)</source>
        <translation>1920 × 1080 (1080p)</translation>
    </message>
    <message>
        <source>Background</source>
        <translation>背景</translation>
    </message>
    <message>
        <source>The avatar&apos;s setting</source>
        <translation>使用形象自身的设置</translation>
    </message>
    <message>
        <source>Chroma key green</source>
        <translation>绿幕（抠像绿）</translation>
    </message>
    <message>
        <source>Chroma key blue</source>
        <translation>蓝幕（抠像蓝）</translation>
    </message>
    <message>
        <source>Chroma key magenta</source>
        <translation>品红抠像色</translation>
    </message>
    <message>
        <source>Custom colour…</source>
        <translation>自定义颜色…</translation>
    </message>
    <message>
        <source>Transparent</source>
        <translation>透明</translation>
    </message>
    <message>
        <source>Always on top</source>
        <translation>窗口置顶</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Chroma key colour</source>
        <translation>抠像颜色</translation>
    </message>
</context>
<context>
    <name>ChatPanel</name>
    <message>
        <source>Chat / Script</source>
        <translation>聊天 / 脚本</translation>
    </message>
    <message>
        <source>Not available yet. Here you will talk to the avatar, see live chat and turn a topic into a script.</source>
        <translation>尚未开放。你将在这里与虚拟形象对话、查看直播弹幕，并把一个话题写成脚本。</translation>
    </message>
</context>
<context>
    <name>DeviceCombo</name>
    <message>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <source> (default)</source>
        <translation>（默认）</translation>
    </message>
    <message>
        <source>{device} (not connected)</source>
        <translation>{device}（未连接）</translation>
    </message>
</context>
<context>
    <name>GuiMain</name>
    <message>
        <source>Port in use</source>
        <translation>端口被占用</translation>
    </message>
    <message>
        <source>{problem}

The studio starts without its API.</source>
        <translation>{problem}

工作室将在不启用 API 的情况下启动。</translation>
    </message>
    <message>
        <source>Engine failed</source>
        <translation>引擎出错</translation>
    </message>
    <message>
        <source>Port {port} is in use by another program, so the studio&apos;s API cannot start there.

Use the free port {free} instead (saved in Settings)? Choose No to start without the API.</source>
        <translation>端口 {port} 已被其他程序占用，工作室的 API 无法在该端口启动。

改用空闲端口 {free} 吗（会保存到设置中）？选择“否”则不启用 API 直接启动。</translation>
    </message>
</context>
<context>
    <name>LogPanel</name>
    <message numerus="yes">
        <source>%n error(s)</source>
        <translation>
            <numerusform>%n 个错误</numerusform>
        </translation>
    </message>
    <message>
        <source>Follow new lines</source>
        <translation>跟随新日志</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Clear the view (the log file keeps everything).</source>
        <translation>清空显示（日志文件会保留全部内容）。</translation>
    </message>
    <message>
        <source>No log lines yet.</source>
        <translation>暂无日志。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>About Cream Studio</source>
        <translation>关于 Cream Studio</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Cream Studio {version}&lt;/h3&gt;&lt;p&gt;An AI VTuber studio: avatar, voice, chat and live streaming on your own computer.&lt;/p&gt;&lt;p&gt;Settings: {config}&lt;br&gt;Logs: {logs}&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Cream Studio {version}&lt;/h3&gt;&lt;p&gt;AI 虚拟主播工作室：虚拟形象、语音、聊天和直播，全部在你自己的电脑上运行。&lt;/p&gt;&lt;p&gt;设置：{config}&lt;br&gt;日志：{logs}&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Could not open {folder}</source>
        <translation>无法打开 {folder}</translation>
    </message>
    <message>
        <source>Port {port} is in use by another program.</source>
        <translation>端口 {port} 已被其他程序占用。</translation>
    </message>
    <message>
        <source>Port in use</source>
        <translation>端口被占用</translation>
    </message>
    <message>
        <source>Port {port} is in use by another program. Use the free port {free} instead?</source>
        <translation>端口 {port} 已被其他程序占用。改用空闲端口 {free} 吗？</translation>
    </message>
    <message>
        <source>Cream Studio</source>
        <translation>Cream Studio</translation>
    </message>
    <message>
        <source>Chat / Script</source>
        <translation>聊天 / 脚本</translation>
    </message>
    <message>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <source>Stream</source>
        <translation>直播</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>Avatar &amp;Library…</source>
        <translation>形象库(&amp;L)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Avatar Window (for OBS)</source>
        <translation>虚拟形象窗口（用于 OBS）(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Open &amp;Log Folder</source>
        <translation>打开日志文件夹(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;About Cream Studio</source>
        <translation>关于 Cream Studio(&amp;A)</translation>
    </message>
    <message>
        <source>Quit while live?</source>
        <translation>正在直播，确定退出吗？</translation>
    </message>
    <message>
        <source>You are live. Stop the stream and quit?</source>
        <translation>你正在直播。要停止直播并退出吗？</translation>
    </message>
</context>
<context>
    <name>Notification</name>
    <message>
        <source>Problem in {source}</source>
        <translation>{source} 出现问题</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>出现问题</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Set by the environment variable {name}.</source>
        <translation>由环境变量 {name} 设置。</translation>
    </message>
</context>
<context>
    <name>SettingsTexts</name>
    <message>
        <source>Other web origins allowed to call the API from a browser (CORS), e.g. https://example.com.</source>
        <translation>允许从浏览器调用 API 的其他网页来源（CORS），例如 https://example.com。</translation>
    </message>
    <message>
        <source>Voice used for speech; empty picks the default voice of each language.</source>
        <translation>朗读所用的声音；留空则按语言使用各自的默认声音。</translation>
    </message>
    <message>
        <source>Default Mandarin voice id; empty for the built-in one.</source>
        <translation>默认普通话声音 ID；留空则使用内置声音。</translation>
    </message>
    <message>
        <source>Default English voice id; empty for the built-in one.</source>
        <translation>默认英语声音 ID；留空则使用内置声音。</translation>
    </message>
    <message>
        <source>Default Japanese voice id; empty for the built-in one.</source>
        <translation>默认日语声音 ID；留空则使用内置声音。</translation>
    </message>
    <message>
        <source>Speaking rate (0.5-2.0).</source>
        <translation>语速（0.5–2.0）。</translation>
    </message>
    <message>
        <source>Pitch shift in semitones, where the voice supports it.</source>
        <translation>音高偏移，单位为半音（需声音支持）。</translation>
    </message>
    <message>
        <source>Voice volume (0-2).</source>
        <translation>声音音量（0–2）。</translation>
    </message>
    <message>
        <source>GPT-SoVITS api_v2 server, e.g. http://127.0.0.1:9880; empty = off.</source>
        <translation>GPT-SoVITS api_v2 服务器，例如 http://127.0.0.1:9880；留空即关闭。</translation>
    </message>
    <message>
        <source>Reference audio path on the GPT-SoVITS server.</source>
        <translation>GPT-SoVITS 服务器上的参考音频路径。</translation>
    </message>
    <message>
        <source>Transcript of the reference audio.</source>
        <translation>参考音频对应的文本。</translation>
    </message>
    <message>
        <source>Language of the reference audio (zh, en, ja ...).</source>
        <translation>参考音频的语言（zh、en、ja ……）。</translation>
    </message>
    <message>
        <source>GPT-SoVITS streaming mode (0-3).</source>
        <translation>GPT-SoVITS 流式模式（0–3）。</translation>
    </message>
    <message>
        <source>OpenAI-compatible API base, e.g. https://api.openai.com/v1; empty = off.</source>
        <translation>OpenAI 兼容 API 的基础地址，例如 https://api.openai.com/v1；留空即关闭。</translation>
    </message>
    <message>
        <source>Speech model name of that service.</source>
        <translation>该服务的语音模型名称。</translation>
    </message>
    <message>
        <source>Voice name of that service.</source>
        <translation>该服务的声音名称。</translation>
    </message>
    <message>
        <source>Id of the avatar shown (see the avatar library).</source>
        <translation>显示的形象 ID（见形象库）。</translation>
    </message>
    <message>
        <source>Size of the avatar (OBS) window.</source>
        <translation>形象（OBS）窗口的大小。</translation>
    </message>
    <message>
        <source>Background colour of the avatar window, e.g. #00ff00; empty = the avatar&apos;s own.</source>
        <translation>形象窗口的背景色，例如 #00ff00；留空则使用形象自己的背景。</translation>
    </message>
    <message>
        <source>Keep the avatar window above other windows.</source>
        <translation>让形象窗口保持在其他窗口之上。</translation>
    </message>
    <message>
        <source>API</source>
        <translation>API</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>界面</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>存储</translation>
    </message>
    <message>
        <source>Logging</source>
        <translation>日志记录</translation>
    </message>
    <message>
        <source>Avatar</source>
        <translation>形象</translation>
    </message>
    <message>
        <source>Serve the local API</source>
        <translation>提供本地 API</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Also serve on original ports</source>
        <translation>同时使用原始端口</translation>
    </message>
    <message>
        <source>Allow pages from this computer</source>
        <translation>允许本机网页访问</translation>
    </message>
    <message>
        <source>Other allowed web origins</source>
        <translation>其他允许的网页来源</translation>
    </message>
    <message>
        <source>Largest request (MiB)</source>
        <translation>最大请求 (MiB)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Ask before quitting while live</source>
        <translation>直播中退出前询问</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <source>Mandarin voice</source>
        <translation>普通话声音</translation>
    </message>
    <message>
        <source>English voice</source>
        <translation>英语声音</translation>
    </message>
    <message>
        <source>Japanese voice</source>
        <translation>日语声音</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>语速</translation>
    </message>
    <message>
        <source>Pitch (semitones)</source>
        <translation>音高（半音）</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>音量</translation>
    </message>
    <message>
        <source>GPT-SoVITS server</source>
        <translation>GPT-SoVITS 服务器</translation>
    </message>
    <message>
        <source>GPT-SoVITS reference audio</source>
        <translation>GPT-SoVITS 参考音频</translation>
    </message>
    <message>
        <source>Reference transcript</source>
        <translation>参考音频文本</translation>
    </message>
    <message>
        <source>Reference language</source>
        <translation>参考音频语言</translation>
    </message>
    <message>
        <source>GPT-SoVITS streaming mode</source>
        <translation>GPT-SoVITS 流式模式</translation>
    </message>
    <message>
        <source>OpenAI-compatible server</source>
        <translation>OpenAI 兼容服务</translation>
    </message>
    <message>
        <source>Speech model</source>
        <translation>语音模型</translation>
    </message>
    <message>
        <source>Service voice</source>
        <translation>服务端声音</translation>
    </message>
    <message>
        <source>Database safety</source>
        <translation>数据库安全性</translation>
    </message>
    <message>
        <source>Log level</source>
        <translation>日志级别</translation>
    </message>
    <message>
        <source>Rotate log at (MiB)</source>
        <translation>日志轮换大小 (MiB)</translation>
    </message>
    <message>
        <source>Old log files kept</source>
        <translation>保留的旧日志文件数</translation>
    </message>
    <message>
        <source>Serve the local API while the studio runs.</source>
        <translation>工作室运行时提供本地 API。</translation>
    </message>
    <message>
        <source>Interface to listen on. Anything but loopback exposes the studio to the network.</source>
        <translation>要监听的网络接口。除回环地址外，其他地址都会把工作室暴露到网络上。</translation>
    </message>
    <message>
        <source>Main API port.</source>
        <translation>API 主端口。</translation>
    </message>
    <message>
        <source>Also serve compatible APIs on their original ports (9880, 7861, 12393 ...).</source>
        <translation>同时在兼容 API 的原始端口（9880、7861、12393 ……）上提供服务。</translation>
    </message>
    <message>
        <source>Let web pages served from this computer (any port) call the API.</source>
        <translation>允许本机（任意端口）提供的网页调用 API。</translation>
    </message>
    <message>
        <source>Largest request body accepted, in MiB.</source>
        <translation>可接受的最大请求体，单位 MiB。</translation>
    </message>
    <message>
        <source>Interface language.</source>
        <translation>界面语言。</translation>
    </message>
    <message>
        <source>Light or dark colours.</source>
        <translation>浅色或深色配色。</translation>
    </message>
    <message>
        <source>Ask before quitting while streaming.</source>
        <translation>直播时退出前先询问。</translation>
    </message>
    <message>
        <source>Speaker device name; empty for the system default.</source>
        <translation>扬声器设备名称；留空则使用系统默认设备。</translation>
    </message>
    <message>
        <source>Microphone device name; empty for the system default.</source>
        <translation>麦克风设备名称；留空则使用系统默认设备。</translation>
    </message>
    <message>
        <source>FULL survives power loss; NORMAL is faster and survives a crash of the app.</source>
        <translation>“完整”在断电时也不丢数据；“普通”更快，可在程序崩溃时保住数据。</translation>
    </message>
    <message>
        <source>Least important messages written to the log.</source>
        <translation>写入日志的最低消息级别。</translation>
    </message>
    <message>
        <source>Size at which the log file rotates, in MiB.</source>
        <translation>日志文件达到此大小（MiB）时轮换。</translation>
    </message>
    <message>
        <source>Old log files kept.</source>
        <translation>保留的旧日志文件数量。</translation>
    </message>
    <message>
        <source>Avatar window size</source>
        <translation>形象窗口大小</translation>
    </message>
    <message>
        <source>Avatar window background</source>
        <translation>形象窗口背景</translation>
    </message>
    <message>
        <source>Avatar window on top</source>
        <translation>形象窗口置顶</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Full (safest)</source>
        <translation>完整（最安全）</translation>
    </message>
    <message>
        <source>Normal (faster)</source>
        <translation>普通（更快）</translation>
    </message>
    <message>
        <source>Debug</source>
        <translation>调试</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>{label} ({key}): {message}</source>
        <translation>{label}（{key}）：{message}</translation>
    </message>
</context>
<context>
    <name>StreamPanel</name>
    <message>
        <source>Stream</source>
        <translation>直播</translation>
    </message>
    <message>
        <source>Not available yet. Here you will choose a platform, go live and watch bitrate and dropped frames.</source>
        <translation>尚未开放。你将在这里选择直播平台、开始直播，并查看码率和丢帧情况。</translation>
    </message>
</context>
<context>
    <name>StudioStatusBar</name>
    <message>
        <source>Starting</source>
        <translation>启动中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Stopping</source>
        <translation>停止中</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>未直播</translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>直播中</translation>
    </message>
    <message>
        <source>Reconnecting</source>
        <translation>重新连接中</translation>
    </message>
    <message>
        <source>Engine: {state}</source>
        <translation>引擎：{state}</translation>
    </message>
    <message>
        <source>API: {url}</source>
        <translation>API：{url}</translation>
    </message>
    <message>
        <source>API failed: {reason}</source>
        <translation>API 失败：{reason}</translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation>未知错误</translation>
    </message>
    <message>
        <source>API off</source>
        <translation>API 已关闭</translation>
    </message>
</context>
<context>
    <name>VoiceCombo</name>
    <message>
        <source>Automatic (by language)</source>
        <translation>自动（按语言）</translation>
    </message>
    <message>
        <source>The default voice of each language in the text.</source>
        <translation>按文本中每种语言使用其默认声音。</translation>
    </message>
    <message>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>English</source>
        <translation>英语</translation>
    </message>
    <message>
        <source>Japanese</source>
        <translation>日语</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>{name}
Voice id: {id}
Licence: {licence}</source>
        <translation>{name}
声音 ID：{id}
许可：{licence}</translation>
    </message>
    <message>
        <source>not stated</source>
        <translation>未注明</translation>
    </message>
    <message>
        <source>Needs a network service.</source>
        <translation>需要网络服务。</translation>
    </message>
    <message>
        <source>{voice} (not available)</source>
        <translation>{voice}（不可用）</translation>
    </message>
</context>
<context>
    <name>VoicePanel</name>
    <message>
        <source>{value} semitones</source>
        <translation>{value} 半音</translation>
    </message>
    <message>
        <source>The saved voice {voice} is not available. Pick another voice.</source>
        <translation>已保存的声音 {voice} 不可用，请选择其他声音。</translation>
    </message>
    <message>
        <source>Preparing the voices…</source>
        <translation>正在准备声音…</translation>
    </message>
    <message>
        <source>Speaking…</source>
        <translation>正在朗读…</translation>
    </message>
    <message>
        <source>Finished speaking.</source>
        <translation>朗读完毕。</translation>
    </message>
    <message>
        <source>Interrupted.</source>
        <translation>已中断。</translation>
    </message>
    <message>
        <source>Could not speak: {detail}</source>
        <translation>无法朗读：{detail}</translation>
    </message>
    <message>
        <source>The engine is not running.</source>
        <translation>引擎未运行。</translation>
    </message>
    <message>
        <source>Type something to say first.</source>
        <translation>请先输入要说的内容。</translation>
    </message>
    <message>
        <source>Unavailable voice engines: {reasons}</source>
        <translation>不可用的语音引擎：{reasons}</translation>
    </message>
    <message>
        <source>Audio output: starts when the avatar first speaks.</source>
        <translation>音频输出：虚拟形象第一次说话时启动。</translation>
    </message>
    <message>
        <source>Playing on {device}</source>
        <translation>正在通过 {device} 播放</translation>
    </message>
    <message>
        <source>Audio device lost: {device}; playing silently</source>
        <translation>音频设备已断开：{device}；静音播放中</translation>
    </message>
    <message>
        <source>Audio output is off; playing silently</source>
        <translation>音频输出已关闭；静音播放中</translation>
    </message>
    <message>
        <source>Audio output stopped</source>
        <translation>音频输出已停止</translation>
    </message>
    <message>
        <source>No audio output device; playing silently</source>
        <translation>没有音频输出设备；静音播放中</translation>
    </message>
    <message>
        <source>Audio device not found: {device}; playing silently</source>
        <translation>找不到音频设备：{device}；静音播放中</translation>
    </message>
    <message>
        <source>Cannot open {device}; playing silently</source>
        <translation>无法打开 {device}；静音播放中</translation>
    </message>
    <message>
        <source>The sound system (PortAudio) is not available; playing silently</source>
        <translation>声音系统（PortAudio）不可用；静音播放中</translation>
    </message>
    <message>
        <source>&amp;Voice</source>
        <translation>声音(&amp;V)</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>语速</translation>
    </message>
    <message>
        <source>Pitch</source>
        <translation>音高</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>音量</translation>
    </message>
    <message>
        <source>&amp;Output</source>
        <translation>输出(&amp;O)</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>电平</translation>
    </message>
    <message>
        <source>Type what the avatar should say (Ctrl+Enter speaks).</source>
        <translation>输入虚拟形象要说的话（Ctrl+Enter 朗读）。</translation>
    </message>
    <message>
        <source>Speak</source>
        <translation>朗读</translation>
    </message>
    <message>
        <source>Speak the text with the chosen voice (Ctrl+Enter).</source>
        <translation>用所选声音朗读文本（Ctrl+Enter）。</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop speaking at once.</source>
        <translation>立即停止朗读。</translation>
    </message>
    <message>
        <source>Where the avatar&apos;s voice is played. Saved and applied at once.</source>
        <translation>虚拟形象声音的播放设备。更改会立即保存并生效。</translation>
    </message>
    <message>
        <source>Speaker level: bar = loudness (RMS), light bar and tick = peak.</source>
        <translation>扬声器电平：实心条 = 响度（RMS），浅色条和刻度线 = 峰值。</translation>
    </message>
</context>
<context>
    <name>VoiceSession</name>
    <message>
        <source>The engine is not running, so nothing can be spoken.</source>
        <translation>引擎未运行，无法朗读。</translation>
    </message>
</context>
</TS>
