<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccountsSession</name>
    <message>
        <source>The engine is not running: accounts, tokens and test e-mails need it.</source>
        <translation>引擎未运行：账户、令牌和测试邮件都需要引擎。</translation>
    </message>
</context>
<context>
    <name>AddUserDialog</name>
    <message>
        <source>Add user</source>
        <translation>添加用户</translation>
    </message>
    <message>
        <source>Admin (may manage other users)</source>
        <translation>管理员（可管理其他用户）</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Repeat password</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>3-20 characters: letters, digits, &apos;_&apos;, &apos;.&apos; or &apos;-&apos;.</source>
        <translation>3-20 个字符：字母、数字、“_”、“.” 或 “-”。</translation>
    </message>
    <message>
        <source>At least 8 characters.</source>
        <translation>至少 8 个字符。</translation>
    </message>
    <message>
        <source>The username must be 3-20 characters: letters, digits, &apos;_&apos;, &apos;.&apos; or &apos;-&apos;.</source>
        <translation>用户名须为 3-20 个字符：字母、数字、“_”、“.” 或 “-”。</translation>
    </message>
    <message>
        <source>The e-mail address is not valid.</source>
        <translation>邮箱地址无效。</translation>
    </message>
    <message>
        <source>The password must have 8 to 256 characters.</source>
        <translation>密码须为 8 到 256 个字符。</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>ApiUsersPage</name>
    <message>
        <source>The engine is not running: users and tokens are shown when it runs.</source>
        <translation>引擎未运行：引擎运行后才会显示用户和令牌。</translation>
    </message>
</context>
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
        <source>The microphone is off.</source>
        <translation>麦克风已关闭。</translation>
    </message>
    <message>
        <source>The microphone is not listening yet.</source>
        <translation>麦克风尚未开始收听。</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Script</source>
        <translation>脚本</translation>
    </message>
    <message>
        <source>Character</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Chat model</source>
        <translation>对话模型</translation>
    </message>
    <message>
        <source>Type a message and press Enter.</source>
        <translation>输入消息后按回车发送。</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the reply at once.</source>
        <translation>立即停止回复。</translation>
    </message>
    <message>
        <source>&amp;Microphone</source>
        <translation>麦克风(&amp;M)</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Hands-free</source>
        <translation>免提（自动检测）</translation>
    </message>
    <message>
        <source>Push to talk</source>
        <translation>按键说话</translation>
    </message>
    <message>
        <source>Hold to talk</source>
        <translation>按住说话</translation>
    </message>
    <message>
        <source>Microphone level (echo removed).</source>
        <translation>麦克风音量（已消除回声）。</translation>
    </message>
</context>
<context>
    <name>ChatSession</name>
    <message>
        <source>The engine is not running.</source>
        <translation>引擎未运行。</translation>
    </message>
    <message>
        <source>Connected to {model}: first reply after {ms} ms.</source>
        <translation>已连接 {model}：首个回复用时 {ms} 毫秒。</translation>
    </message>
    <message>
        <source>Models: {models}</source>
        <translation>可用模型：{models}</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>(no reply: {detail})</source>
        <translation>（没有回复：{detail}）</translation>
    </message>
    <message>
        <source>{text} (skipped: too many messages)</source>
        <translation>{text}（已跳过：消息太多）</translation>
    </message>
    <message>
        <source>You (speaking): {text}</source>
        <translation>你（正在说）：{text}</translation>
    </message>
    <message>
        <source>Avatar</source>
        <translation>虚拟形象</translation>
    </message>
    <message>
        <source>(interrupted; heard: {heard})</source>
        <translation>（已打断；听到的部分：{heard}）</translation>
    </message>
    <message>
        <source>You: {text}</source>
        <translation>你：{text}</translation>
    </message>
</context>
<context>
    <name>CloneSpeakerCombo</name>
    <message>
        <source>None (each voice&apos;s own timbre)</source>
        <translation>无（使用各声音自己的音色）</translation>
    </message>
    <message>
        <source>{speaker} (not found)</source>
        <translation>{speaker}（未找到）</translation>
    </message>
    <message>
        <source>Voices that clone (VoxCPM) imitate this speaker. Add speakers on the Speakers tab.</source>
        <translation>克隆类声音（VoxCPM）会模仿这个说话人。在“说话人”标签页添加说话人。</translation>
    </message>
</context>
<context>
    <name>CreateTokenDialog</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Acts as user</source>
        <translation>代表的用户</translation>
    </message>
    <message>
        <source>Create plugin token</source>
        <translation>创建插件令牌</translation>
    </message>
    <message>
        <source>e.g. obs-plugin</source>
        <translation>例如 obs-plugin</translation>
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
    <name>OutputRow</name>
    <message>
        <source>Stream to this output too when going live.</source>
        <translation>开播时也推流到这个输出。</translation>
    </message>
    <message>
        <source>id, e.g. youtube</source>
        <translation>标识，例如 youtube</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Key saved (hidden) — type to replace</source>
        <translation>密钥已保存（已隐藏）— 输入即可替换</translation>
    </message>
    <message>
        <source>Stream key</source>
        <translation>串流密钥</translation>
    </message>
</context>
<context>
    <name>PersonaForm</name>
    <message>
        <source>&amp;Name</source>
        <translation>名字(&amp;N)</translation>
    </message>
    <message>
        <source>System &amp;prompt</source>
        <translation>系统提示词(&amp;P)</translation>
    </message>
    <message>
        <source>Speaking &amp;style</source>
        <translation>说话风格(&amp;S)</translation>
    </message>
    <message>
        <source>Emotions</source>
        <translation>情绪</translation>
    </message>
    <message>
        <source>Save character</source>
        <translation>保存角色</translation>
    </message>
    <message>
        <source>Reset to default</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <source>Restore the default character card.</source>
        <translation>恢复默认角色卡。</translation>
    </message>
</context>
<context>
    <name>ProviderForm</name>
    <message>
        <source>the server&apos;s model</source>
        <translation>服务器的模型</translation>
    </message>
    <message>
        <source>Check the base URL: it must start with http:// or https://.</source>
        <translation>请检查接口地址：必须以 http:// 或 https:// 开头。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>正在测试连接…</translation>
    </message>
    <message>
        <source>Connection works.</source>
        <translation>连接正常。</translation>
    </message>
    <message>
        <source>Connection failed:</source>
        <translation>连接失败：</translation>
    </message>
    <message>
        <source>&amp;Provider</source>
        <translation>服务商(&amp;P)</translation>
    </message>
    <message>
        <source>Base &amp;URL</source>
        <translation>接口地址(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <source>API &amp;key</source>
        <translation>API 密钥(&amp;K)</translation>
    </message>
    <message>
        <source>Saved in the secrets store; leave empty to keep it.</source>
        <translation>保存在密钥库中；留空则保留原密钥。</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
</context>
<context>
    <name>ScriptPanel</name>
    <message>
        <source>Saved “{title}”.</source>
        <translation>已保存“{title}”。</translation>
    </message>
    <message>
        <source>(untitled)</source>
        <translation>（无标题）</translation>
    </message>
    <message>
        <source>Paste a script</source>
        <translation>粘贴脚本</translation>
    </message>
    <message>
        <source>Chapters start at headings or blank lines:</source>
        <translation>章节以标题或空行分隔：</translation>
    </message>
    <message>
        <source>Enter a topic first.</source>
        <translation>请先输入主题。</translation>
    </message>
    <message>
        <source>Writing the outline…</source>
        <translation>正在生成大纲…</translation>
    </message>
    <message>
        <source>Write an outline or paste a script first.</source>
        <translation>请先生成大纲或粘贴脚本。</translation>
    </message>
    <message>
        <source>Every chapter has text. Clear a chapter to write it again.</source>
        <translation>每一章都已有内容。清空某一章即可重新生成。</translation>
    </message>
    <message>
        <source>Writing the script…</source>
        <translation>正在撰写脚本…</translation>
    </message>
    <message>
        <source>Chapter {n} written.</source>
        <translation>第 {n} 章已写好。</translation>
    </message>
    <message>
        <source>There is nothing to read yet.</source>
        <translation>还没有可朗读的内容。</translation>
    </message>
    <message>
        <source>Chapter {c}/{cs}, sentence {s}/{ss}</source>
        <translation>第 {c}/{cs} 章，第 {s}/{ss} 句</translation>
    </message>
    <message>
        <source>Finished reading.</source>
        <translation>朗读完毕。</translation>
    </message>
    <message>
        <source>Reading stopped.</source>
        <translation>朗读已停止。</translation>
    </message>
    <message>
        <source>Reading failed: {detail}</source>
        <translation>朗读失败：{detail}</translation>
    </message>
    <message>
        <source>Stop writing</source>
        <translation>停止撰写</translation>
    </message>
    <message>
        <source>Write script</source>
        <translation>撰写脚本</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Read aloud</source>
        <translation>朗读</translation>
    </message>
    <message>
        <source>Topic of the stream, e.g. “Three tips for better sleep”</source>
        <translation>直播主题，例如“改善睡眠的三个小技巧”</translation>
    </message>
    <message>
        <source>Write outline</source>
        <translation>生成大纲</translation>
    </message>
    <message>
        <source>The selected chapter&apos;s text. Edit freely; [happy] style tags set the avatar&apos;s emotion.</source>
        <translation>所选章节的正文。可随意编辑；[happy] 这样的标签会设置形象的情绪。</translation>
    </message>
    <message>
        <source>Paste script…</source>
        <translation>粘贴脚本…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>载入</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>跳过</translation>
    </message>
    <message>
        <source>Jump to chapter</source>
        <translation>跳到该章</translation>
    </message>
    <message>
        <source>Read from the start of the selected chapter.</source>
        <translation>从所选章节开头开始朗读。</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
</context>
<context>
    <name>ScriptSession</name>
    <message>
        <source>The engine is not running.</source>
        <translation>引擎未运行。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Users and tokens</source>
        <translation>用户与令牌</translation>
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
        <source>Platform preset (fills server, size and bitrate).</source>
        <translation>平台预设（自动填写服务器、分辨率和码率）。</translation>
    </message>
    <message>
        <source>RTMP or RTMPS server URL, e.g. rtmp://live-push.bilivideo.com/live-bvc/ (no key).</source>
        <translation>RTMP 或 RTMPS 服务器地址，例如 rtmp://live-push.bilivideo.com/live-bvc/（不含密钥）。</translation>
    </message>
    <message>
        <source>Stream width in pixels (even).</source>
        <translation>直播画面宽度，像素（偶数）。</translation>
    </message>
    <message>
        <source>Stream height in pixels (even).</source>
        <translation>直播画面高度，像素（偶数）。</translation>
    </message>
    <message>
        <source>Frames per second.</source>
        <translation>每秒帧数。</translation>
    </message>
    <message>
        <source>Video bitrate (constant), kbit/s.</source>
        <translation>视频码率（固定），kbit/s。</translation>
    </message>
    <message>
        <source>AAC audio bitrate, kbit/s.</source>
        <translation>AAC 音频码率，kbit/s。</translation>
    </message>
    <message>
        <source>H.264 encoder; auto uses a hardware one when it opens, else libx264.</source>
        <translation>H.264 编码器；自动：能用硬件编码器就用，否则用 libx264。</translation>
    </message>
    <message>
        <source>libx264 speed preset (faster = less CPU, lower quality).</source>
        <translation>libx264 速度预设（越快越省 CPU，画质越低）。</translation>
    </message>
    <message>
        <source>Seconds between keyframes.</source>
        <translation>关键帧间隔，秒。</translation>
    </message>
    <message>
        <source>hands_free (voice activity), push_to_talk (hold a key/button) or off.</source>
        <translation>hands_free（语音活动检测）、push_to_talk（按住按键说话）或 off（关闭）。</translation>
    </message>
    <message>
        <source>Recognition language: auto, zh, en or ja.</source>
        <translation>识别语言：auto（自动）、zh、en 或 ja。</translation>
    </message>
    <message>
        <source>Speech probability at which a frame counts as speech.</source>
        <translation>一帧被判定为语音的概率阈值。</translation>
    </message>
    <message>
        <source>Probability below which a frame counts as silence.</source>
        <translation>低于此概率的帧被判定为静音。</translation>
    </message>
    <message>
        <source>Speech needed before the user counts as speaking (ms).</source>
        <translation>用户开始说话前需要持续的语音时长（毫秒）。</translation>
    </message>
    <message>
        <source>Silence that ends an utterance (ms).</source>
        <translation>结束一句话所需的静音时长（毫秒）。</translation>
    </message>
    <message>
        <source>An utterance longer than this is cut and transcribed.</source>
        <translation>超过此时长的一句话会被截断并识别。</translation>
    </message>
    <message>
        <source>Shortest interval between partial transcripts (s).</source>
        <translation>两次临时识别结果之间的最短间隔（秒）。</translation>
    </message>
    <message>
        <source>Only answer utterances that start with this name; empty answers all.</source>
        <translation>只回应以这个名字开头的话；留空则回应所有话。</translation>
    </message>
    <message>
        <source>Stop the studio&apos;s speech when the user starts speaking.</source>
        <translation>用户开始说话时停止工作室的语音。</translation>
    </message>
    <message>
        <source>Remove the studio&apos;s own voice from the microphone (WebRTC AEC).</source>
        <translation>从麦克风中去除工作室自己的声音（WebRTC 回声消除）。</translation>
    </message>
    <message>
        <source>How far speech must rise above the echo estimate (dB).</source>
        <translation>语音需高出回声估计的幅度（dB）。</translation>
    </message>
    <message>
        <source>Provider preset: sets the base URL and a default model (custom = your own URL).</source>
        <translation>服务商预设：自动设置接口地址和默认模型（自定义 = 使用你自己的地址）。</translation>
    </message>
    <message>
        <source>OpenAI-compatible API base, e.g. https://api.deepseek.com/v1; empty = the preset&apos;s.</source>
        <translation>OpenAI 兼容接口的基础地址，例如 https://api.deepseek.com/v1；留空则使用预设地址。</translation>
    </message>
    <message>
        <source>Model name at the provider; empty = the preset&apos;s default model.</source>
        <translation>服务商处的模型名称；留空则使用预设的默认模型。</translation>
    </message>
    <message>
        <source>Randomness of replies (0-2).</source>
        <translation>回复的随机程度（0–2）。</translation>
    </message>
    <message>
        <source>Longest reply, in tokens (spoken replies are short).</source>
        <translation>回复的最大长度，单位 token（口播回复都很短）。</translation>
    </message>
    <message>
        <source>Give up when the provider sends nothing for this long (connect, first token, gaps).</source>
        <translation>服务商超过此时长没有任何数据（连接、首个 token、中途停顿）时放弃。</translation>
    </message>
    <message>
        <source>Retries of a failed request before the reply starts (429, 5xx, network).</source>
        <translation>回复开始前请求失败时的重试次数（429、5xx、网络错误）。</translation>
    </message>
    <message>
        <source>Prompt budget in tokens; older turns are summarised to stay within it.</source>
        <translation>提示词预算（token）；较早的对话会被总结以保持在预算内。</translation>
    </message>
    <message>
        <source>Id of the character card (persona) the studio speaks as.</source>
        <translation>工作室扮演的角色卡（人设）ID。</translation>
    </message>
    <message>
        <source>SMTP server name, e.g. smtp.example.com; empty = no e-mail codes.</source>
        <translation>SMTP 服务器名称，例如 smtp.example.com；留空则不发送邮件验证码。</translation>
    </message>
    <message>
        <source>SMTP port: 587 for STARTTLS, 465 for TLS, 25 for none.</source>
        <translation>SMTP 端口：STARTTLS 用 587，TLS 用 465，不加密用 25。</translation>
    </message>
    <message>
        <source>starttls (upgrade after connecting), tls (TLS at once) or none (local tests only).</source>
        <translation>starttls（连接后升级加密）、tls（直接 TLS）或 none（仅限本地测试）。</translation>
    </message>
    <message>
        <source>Login name at the SMTP server; empty = no login.</source>
        <translation>SMTP 服务器的登录名；留空则不登录。</translation>
    </message>
    <message>
        <source>Sender address of the code mails; empty = the login name.</source>
        <translation>验证码邮件的发件地址；留空则使用登录名。</translation>
    </message>
    <message>
        <source>Sender name shown in the mail program.</source>
        <translation>邮件程序中显示的发件人名称。</translation>
    </message>
    <message>
        <source>Check the server&apos;s TLS certificate (leave on).</source>
        <translation>检查服务器的 TLS 证书（请保持开启）。</translation>
    </message>
    <message>
        <source>Extra CA certificate file (PEM) to trust, for a server with its own certificate.</source>
        <translation>额外信任的 CA 证书文件（PEM），用于使用自签证书的服务器。</translation>
    </message>
    <message>
        <source>Give up on the server after this long.</source>
        <translation>超过此时长仍无响应则放弃。</translation>
    </message>
    <message>
        <source>Stream background colour behind the avatar.</source>
        <translation>直播画面中虚拟形象后面的背景色。</translation>
    </message>
    <message>
        <source>Reconnection attempts after a connection loss (0 = never give up).</source>
        <translation>断线后的重连次数（0 = 一直重试）。</translation>
    </message>
    <message>
        <source>First reconnection delay, seconds.</source>
        <translation>第一次重连前的等待时间，秒。</translation>
    </message>
    <message>
        <source>Longest reconnection delay (the delay doubles up to it).</source>
        <translation>最长重连等待时间（等待时间逐次翻倍，直到此值）。</translation>
    </message>
    <message>
        <source>Record locally whenever you go live.</source>
        <translation>开播时同时在本地录制。</translation>
    </message>
    <message>
        <source>Recording file format (mp4, mkv or flv).</source>
        <translation>录制文件格式（mp4、mkv 或 flv）。</translation>
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
        <source>Stream</source>
        <translation>直播</translation>
    </message>
    <message>
        <source>E-mail (SMTP)</source>
        <translation>邮件（SMTP）</translation>
    </message>
    <message>
        <source>Language model</source>
        <translation>语言模型</translation>
    </message>
    <message>
        <source>Listening</source>
        <translation>收听</translation>
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
        <source>GPT-SoVITS clients may stop the engine</source>
        <translation>允许 GPT-SoVITS 客户端停止引擎</translation>
    </message>
    <message>
        <source>Largest model archive (MiB)</source>
        <translation>模型压缩包上限（MiB）</translation>
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
        <source>VoxCPM model</source>
        <translation>VoxCPM 模型</translation>
    </message>
    <message>
        <source>VoxCPM device</source>
        <translation>VoxCPM 运行设备</translation>
    </message>
    <message>
        <source>Clone speaker</source>
        <translation>克隆说话人</translation>
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
        <source>Platform</source>
        <translation>平台</translation>
    </message>
    <message>
        <source>Server URL</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <source>Height</source>
        <translation>高度</translation>
    </message>
    <message>
        <source>Frame rate</source>
        <translation>帧率</translation>
    </message>
    <message>
        <source>Video bitrate (kbit/s)</source>
        <translation>视频码率（kbit/s）</translation>
    </message>
    <message>
        <source>Audio bitrate (kbit/s)</source>
        <translation>音频码率（kbit/s）</translation>
    </message>
    <message>
        <source>Video encoder</source>
        <translation>视频编码器</translation>
    </message>
    <message>
        <source>x264 speed preset</source>
        <translation>x264 速度预设</translation>
    </message>
    <message>
        <source>Keyframe interval (s)</source>
        <translation>关键帧间隔（秒）</translation>
    </message>
    <message>
        <source>Background colour</source>
        <translation>背景色</translation>
    </message>
    <message>
        <source>Reconnection attempts</source>
        <translation>重连次数</translation>
    </message>
    <message>
        <source>First reconnection delay (s)</source>
        <translation>首次重连等待（秒）</translation>
    </message>
    <message>
        <source>Longest reconnection delay (s)</source>
        <translation>最长重连等待（秒）</translation>
    </message>
    <message>
        <source>Record while live</source>
        <translation>直播时录制</translation>
    </message>
    <message>
        <source>Recording format</source>
        <translation>录制格式</translation>
    </message>
    <message>
        <source>Microphone mode</source>
        <translation>麦克风模式</translation>
    </message>
    <message>
        <source>Recognition language</source>
        <translation>识别语言</translation>
    </message>
    <message>
        <source>Speech threshold</source>
        <translation>语音阈值</translation>
    </message>
    <message>
        <source>Silence threshold</source>
        <translation>静音阈值</translation>
    </message>
    <message>
        <source>Speech before it counts (ms)</source>
        <translation>判定为说话前的语音时长（毫秒）</translation>
    </message>
    <message>
        <source>Silence that ends speech (ms)</source>
        <translation>结束说话的静音时长（毫秒）</translation>
    </message>
    <message>
        <source>Longest utterance (s)</source>
        <translation>最长一句话（秒）</translation>
    </message>
    <message>
        <source>Partial transcript interval (s)</source>
        <translation>临时识别间隔（秒）</translation>
    </message>
    <message>
        <source>Wake word</source>
        <translation>唤醒词</translation>
    </message>
    <message>
        <source>Stop speaking when interrupted</source>
        <translation>被打断时停止说话</translation>
    </message>
    <message>
        <source>Echo cancellation</source>
        <translation>回声消除</translation>
    </message>
    <message>
        <source>Margin over the echo (dB)</source>
        <translation>高出回声的余量（dB）</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>服务商</translation>
    </message>
    <message>
        <source>API base URL</source>
        <translation>接口地址</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Longest reply (tokens)</source>
        <translation>最长回复（token）</translation>
    </message>
    <message>
        <source>Retries</source>
        <translation>重试次数</translation>
    </message>
    <message>
        <source>Prompt budget (tokens)</source>
        <translation>提示词预算（token）</translation>
    </message>
    <message>
        <source>Persona</source>
        <translation>人设</translation>
    </message>
    <message>
        <source>SMTP server</source>
        <translation>SMTP 服务器</translation>
    </message>
    <message>
        <source>Security</source>
        <translation>加密方式</translation>
    </message>
    <message>
        <source>Login name</source>
        <translation>登录名</translation>
    </message>
    <message>
        <source>Sender address</source>
        <translation>发件地址</translation>
    </message>
    <message>
        <source>Sender name</source>
        <translation>发件人名称</translation>
    </message>
    <message>
        <source>Check the certificate</source>
        <translation>检查证书</translation>
    </message>
    <message>
        <source>Extra CA file</source>
        <translation>额外 CA 文件</translation>
    </message>
    <message>
        <source>Timeout (s)</source>
        <translation>超时（秒）</translation>
    </message>
    <message>
        <source>Serve the compatible APIs on their original ports too (9080, 5001, 8888, 9880, 7861, 12393).</source>
        <translation>同时在兼容 API 的原始端口上提供服务（9080、5001、8888、9880、7861、12393）。</translation>
    </message>
    <message>
        <source>Let GPT-SoVITS clients stop the engine with /control?command=exit (off: refused).</source>
        <translation>允许 GPT-SoVITS 客户端用 /control?command=exit 停止引擎（关闭时拒绝）。</translation>
    </message>
    <message>
        <source>Largest voice model archive accepted by the import route, in MiB.</source>
        <translation>导入接口接受的语音模型压缩包上限，单位 MiB。</translation>
    </message>
    <message>
        <source>Imported VoxCPM model to load (Voice -&gt; Models); empty = VoxCPM off.</source>
        <translation>要加载的已导入 VoxCPM 模型（声音 -&gt; 模型）；留空则关闭 VoxCPM。</translation>
    </message>
    <message>
        <source>Where VoxCPM runs: auto picks CUDA, then Apple MPS, then the CPU.</source>
        <translation>VoxCPM 的运行位置：自动依次选择 CUDA、Apple MPS、CPU。</translation>
    </message>
    <message>
        <source>Speaker (Voice -&gt; Speakers) that cloning voices imitate; empty = the model&apos;s own voice.</source>
        <translation>克隆声音模仿的说话人（声音 -&gt; 说话人）；留空则使用模型自身的声音。</translation>
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
        <source>Custom RTMP server</source>
        <translation>自定义 RTMP 服务器</translation>
    </message>
    <message>
        <source>Bilibili</source>
        <translation>哔哩哔哩</translation>
    </message>
    <message>
        <source>Douyin</source>
        <translation>抖音</translation>
    </message>
    <message>
        <source>Kuaishou</source>
        <translation>快手</translation>
    </message>
    <message>
        <source>Xiaohongshu</source>
        <translation>小红书</translation>
    </message>
    <message>
        <source>Hands-free (voice activity)</source>
        <translation>免提（语音活动检测）</translation>
    </message>
    <message>
        <source>Push to talk</source>
        <translation>按键说话</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>NVIDIA GPU (CUDA)</source>
        <translation>NVIDIA 显卡（CUDA）</translation>
    </message>
    <message>
        <source>Apple GPU (MPS)</source>
        <translation>Apple GPU（MPS）</translation>
    </message>
    <message>
        <source>SiliconFlow</source>
        <translation>硅基流动</translation>
    </message>
    <message>
        <source>Volcano Ark (Doubao)</source>
        <translation>火山方舟（豆包）</translation>
    </message>
    <message>
        <source>Tencent Hunyuan</source>
        <translation>腾讯混元</translation>
    </message>
    <message>
        <source>Zhipu GLM</source>
        <translation>智谱 GLM</translation>
    </message>
    <message>
        <source>Moonshot (Kimi)</source>
        <translation>月之暗面（Kimi）</translation>
    </message>
    <message>
        <source>Qwen (DashScope)</source>
        <translation>通义千问（百炼 DashScope）</translation>
    </message>
    <message>
        <source>Custom server</source>
        <translation>自定义服务器</translation>
    </message>
    <message>
        <source>STARTTLS (port 587)</source>
        <translation>STARTTLS（端口 587）</translation>
    </message>
    <message>
        <source>TLS (port 465)</source>
        <translation>TLS（端口 465）</translation>
    </message>
    <message>
        <source>None (local tests only)</source>
        <translation>不加密（仅限本地测试）</translation>
    </message>
    <message>
        <source>Automatic (hardware if available)</source>
        <translation>自动（优先硬件）</translation>
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
    <name>SmtpExtras</name>
    <message>
        <source>Type the address the test e-mail should go to.</source>
        <translation>请输入测试邮件的收件地址。</translation>
    </message>
    <message>
        <source>Enter the SMTP server first.</source>
        <translation>请先填写 SMTP 服务器。</translation>
    </message>
    <message>
        <source>Enter a sender address (or a login name that is an address).</source>
        <translation>请填写发件地址（或使用邮箱地址作为登录名）。</translation>
    </message>
    <message>
        <source>Sending a test e-mail to {address} ...</source>
        <translation>正在向 {address} 发送测试邮件……</translation>
    </message>
    <message>
        <source>Cream Studio: test e-mail</source>
        <translation>Cream Studio：测试邮件</translation>
    </message>
    <message>
        <source>This is a test e-mail from Cream Studio. The SMTP settings work: registration and password-reset codes can be sent.</source>
        <translation>这是一封来自 Cream Studio 的测试邮件。SMTP 设置可用：可以发送注册和重置密码的验证码。</translation>
    </message>
    <message>
        <source>Test e-mail sent to {address}.</source>
        <translation>测试邮件已发送至 {address}。</translation>
    </message>
    <message>
        <source>The test e-mail failed: {error}</source>
        <translation>测试邮件发送失败：{error}</translation>
    </message>
    <message>
        <source>SMTP password and test</source>
        <translation>SMTP 密码与测试</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Remove the stored SMTP password.</source>
        <translation>删除已保存的 SMTP 密码。</translation>
    </message>
    <message>
        <source>Kept in the system&apos;s secret store, never in the settings file.</source>
        <translation>保存在系统的密钥存储中，不会写入设置文件。</translation>
    </message>
    <message>
        <source>Test e-mail to</source>
        <translation>测试邮件收件人</translation>
    </message>
    <message>
        <source>you@example.com</source>
        <translation>you@example.com</translation>
    </message>
    <message>
        <source>Send test e-mail</source>
        <translation>发送测试邮件</translation>
    </message>
    <message>
        <source>A password is stored; type a new one to replace it</source>
        <translation>已保存密码；输入新密码可替换</translation>
    </message>
    <message>
        <source>No password stored</source>
        <translation>未保存密码</translation>
    </message>
</context>
<context>
    <name>StreamForm</name>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Where to find the key: {hint}</source>
        <translation>密钥在哪里找：{hint}</translation>
    </message>
    <message>
        <source>Constant video bitrate. {platform} accepts up to {limit} kb/s.</source>
        <translation>固定视频码率。{platform} 最高接受 {limit} kb/s。</translation>
    </message>
    <message>
        <source>✓ A stream key is saved (hidden).</source>
        <translation>✓ 已保存串流密钥（已隐藏）。</translation>
    </message>
    <message>
        <source>Saved — type a new key to replace it</source>
        <translation>已保存 — 输入新密钥即可替换</translation>
    </message>
    <message>
        <source>No stream key saved.</source>
        <translation>尚未保存串流密钥。</translation>
    </message>
    <message>
        <source>Paste your stream key</source>
        <translation>粘贴你的串流密钥</translation>
    </message>
    <message>
        <source>&amp;Platform</source>
        <translation>平台(&amp;P)</translation>
    </message>
    <message>
        <source>Se&amp;rver</source>
        <translation>服务器(&amp;R)</translation>
    </message>
    <message>
        <source>Stream &amp;key</source>
        <translation>串流密钥(&amp;K)</translation>
    </message>
    <message>
        <source>Si&amp;ze</source>
        <translation>分辨率(&amp;Z)</translation>
    </message>
    <message>
        <source>&amp;FPS</source>
        <translation>帧率(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Video bitrate</source>
        <translation>视频码率(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Audio bitrate</source>
        <translation>音频码率(&amp;A)</translation>
    </message>
    <message>
        <source>Recording f&amp;ormat</source>
        <translation>录制格式(&amp;O)</translation>
    </message>
    <message>
        <source>Custom RTMP server</source>
        <translation>自定义 RTMP 服务器</translation>
    </message>
    <message>
        <source>The RTMP or RTMPS ingest address of your platform, without the stream key.</source>
        <translation>平台的 RTMP 或 RTMPS 推流地址，不含串流密钥。</translation>
    </message>
    <message>
        <source>Kept in the system keyring (or an encrypted file), never in the config file or logs.</source>
        <translation>保存在系统钥匙串（或加密文件）中，绝不会写入配置文件或日志。</translation>
    </message>
    <message>
        <source>Show or hide what you typed (a saved key is never shown).</source>
        <translation>显示或隐藏你输入的内容（已保存的密钥永不显示）。</translation>
    </message>
    <message>
        <source>Save key</source>
        <translation>保存密钥</translation>
    </message>
    <message>
        <source>Forget key</source>
        <translation>删除密钥</translation>
    </message>
    <message>
        <source>Record whenever I go live</source>
        <translation>开播时同时录制</translation>
    </message>
</context>
<context>
    <name>StreamOutputsEditor</name>
    <message>
        <source>More outputs (same picture and sound, e.g. Bilibili + YouTube):</source>
        <translation>更多输出（同样的画面和声音，例如哔哩哔哩 + YouTube）：</translation>
    </message>
    <message>
        <source>Add output</source>
        <translation>添加输出</translation>
    </message>
</context>
<context>
    <name>StreamPanel</name>
    <message>
        <source>Invalid stream setting {key}: {message}</source>
        <translation>直播设置 {key} 无效：{message}</translation>
    </message>
    <message>
        <source>The stream key must not contain spaces.</source>
        <translation>串流密钥不能包含空格。</translation>
    </message>
    <message>
        <source>Choose a platform or enter the RTMP server URL before going live.</source>
        <translation>开播前请选择平台或填写 RTMP 服务器地址。</translation>
    </message>
    <message>
        <source>Stop stream</source>
        <translation>停止直播</translation>
    </message>
    <message>
        <source>Go live</source>
        <translation>开始直播</translation>
    </message>
    <message>
        <source>Stop recording</source>
        <translation>停止录制</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>录制</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <source>Recording to {path}</source>
        <translation>正在录制到 {path}</translation>
    </message>
    <message>
        <source>Stream to the server above (and the extra outputs) with the saved key.</source>
        <translation>使用已保存的密钥推流到上面的服务器（以及额外输出）。</translation>
    </message>
    <message>
        <source>Record the stream picture and sound to a file.</source>
        <translation>将直播画面和声音录制到文件。</translation>
    </message>
</context>
<context>
    <name>StreamPreview</name>
    <message>
        <source>The avatar is drawn by the broadcast now; its picture appears here.</source>
        <translation>虚拟形象现在由直播渲染，画面显示在这里。</translation>
    </message>
</context>
<context>
    <name>StreamStatsView</name>
    <message>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>未直播</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
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
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>录制</translation>
    </message>
    <message>
        <source>Stream</source>
        <translation>直播</translation>
    </message>
    <message>
        <source>Reconnecting… ({seconds:.0f} s offline)</source>
        <translation>正在重新连接…（已断开 {seconds:.0f} 秒）</translation>
    </message>
    <message>
        <source>Nothing is running.</source>
        <translation>当前没有直播或录制。</translation>
    </message>
    <message>
        <source>{kbps:.0f} kb/s</source>
        <translation>{kbps:.0f} kb/s</translation>
    </message>
    <message>
        <source>{ms:.0f} ms</source>
        <translation>{ms:.0f} 毫秒</translation>
    </message>
    <message>
        <source>Outputs</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>FPS</source>
        <translation>帧率</translation>
    </message>
    <message>
        <source>Bitrate</source>
        <translation>码率</translation>
    </message>
    <message>
        <source>Dropped (network)</source>
        <translation>丢帧（网络）</translation>
    </message>
    <message>
        <source>Skipped (encoder)</source>
        <translation>跳帧（编码器）</translation>
    </message>
    <message>
        <source>Missed (render)</source>
        <translation>缺帧（渲染）</translation>
    </message>
    <message>
        <source>Congestion</source>
        <translation>网络拥塞</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Data sent</source>
        <translation>已发送数据</translation>
    </message>
    <message>
        <source>A/V drift</source>
        <translation>音画偏差</translation>
    </message>
    <message>
        <source>Frames the network could not carry (congestion or a lost connection).</source>
        <translation>网络无法送出的帧（拥塞或连接中断）。</translation>
    </message>
    <message>
        <source>Frames thrown away because the encoder fell behind (CPU too slow).</source>
        <translation>编码器跟不上而丢弃的帧（CPU 太慢）。</translation>
    </message>
    <message>
        <source>Frame slots the avatar renderer delivered nothing for (render lag).</source>
        <translation>虚拟形象渲染没有及时提供画面的帧位（渲染延迟）。</translation>
    </message>
    <message>
        <source>How full the send queue is; at 100% frames are dropped.</source>
        <translation>发送队列的占用程度；达到 100% 时会丢帧。</translation>
    </message>
    <message>
        <source>Largest offset between sound and picture so far; at most half a frame is normal.</source>
        <translation>目前为止声音与画面之间的最大偏差；不超过半帧属正常。</translation>
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
    <name>TokenShownDialog</name>
    <message>
        <source>Plugin token {name}</source>
        <translation>插件令牌 {name}</translation>
    </message>
    <message>
        <source>Copy this token now and keep it safe: it is shown only this once. The studio stores only a hash of it and cannot show it again.</source>
        <translation>请立即复制并妥善保管此令牌：它只显示这一次。工作室只保存它的哈希值，无法再次显示。</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>TokensBox</name>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>Revoke token</source>
        <translation>吊销令牌</translation>
    </message>
    <message>
        <source>Revoke the token {name}? Plugins using it lose access at once.</source>
        <translation>吊销令牌 {name}？使用它的插件将立即失去访问权限。</translation>
    </message>
    <message>
        <source>Plugin API tokens</source>
        <translation>插件 API 令牌</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>最近使用</translation>
    </message>
    <message>
        <source>Create...</source>
        <translation>创建…</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>吊销</translation>
    </message>
    <message>
        <source>Long-lived tokens for plugins and scripts: send as &apos;Authorization: Bearer &lt;token&gt;&apos;.</source>
        <translation>供插件和脚本使用的长期令牌：以 “Authorization: Bearer &lt;令牌&gt;” 发送。</translation>
    </message>
</context>
<context>
    <name>UsersBox</name>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Remove user</source>
        <translation>删除用户</translation>
    </message>
    <message>
        <source>Remove the user {name} and their plugin tokens?</source>
        <translation>删除用户 {name} 及其插件令牌？</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <source>Admin</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>Verified</source>
        <translation>已验证</translation>
    </message>
    <message>
        <source>Add user...</source>
        <translation>添加用户…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Toggle admin</source>
        <translation>切换管理员</translation>
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
    <name>VoiceLibrarySession</name>
    <message>
        <source>The engine is not running.</source>
        <translation>引擎未在运行。</translation>
    </message>
</context>
<context>
    <name>VoiceModelsPage</name>
    <message>
        <source>Choose a GPT-SoVITS folder (with GPT_weights… and SoVITS_weights…)</source>
        <translation>选择 GPT-SoVITS 文件夹（包含 GPT_weights… 和 SoVITS_weights…）</translation>
    </message>
    <message>
        <source>Choose a VoxCPM model folder</source>
        <translation>选择 VoxCPM 模型文件夹</translation>
    </message>
    <message>
        <source>Remove GPT-SoVITS voice</source>
        <translation>删除 GPT-SoVITS 声音</translation>
    </message>
    <message>
        <source>Remove the GPT-SoVITS weights of {name} (GPT and SoVITS files)?</source>
        <translation>删除 {name} 的 GPT-SoVITS 权重（GPT 和 SoVITS 文件）吗？</translation>
    </message>
    <message>
        <source>Remove the VoxCPM model {name} and its files?</source>
        <translation>删除 VoxCPM 模型 {name} 及其文件吗？</translation>
    </message>
    <message>
        <source>It is in use: VoxCPM will be switched off.</source>
        <translation>它正在使用中：VoxCPM 将被关闭。</translation>
    </message>
    <message>
        <source>Remove VoxCPM model</source>
        <translation>删除 VoxCPM 模型</translation>
    </message>
    <message>
        <source>{suffix} models</source>
        <translation>{suffix}模型</translation>
    </message>
    <message>
        <source>Default models</source>
        <translation>默认模型</translation>
    </message>
    <message>
        <source>(shared 参考音频.wav)</source>
        <translation>（共用 参考音频.wav）</translation>
    </message>
    <message>
        <source>In use, loaded on {device}</source>
        <translation>使用中，已加载到 {device}</translation>
    </message>
    <message>
        <source>In use (loads when it first speaks)</source>
        <translation>使用中（首次说话时加载）</translation>
    </message>
    <message>
        <source>These voices run through the GPT-SoVITS server at {url}.</source>
        <translation>这些声音通过 {url} 的 GPT-SoVITS 服务器合成。</translation>
    </message>
    <message>
        <source>No GPT-SoVITS server configured: set one in Settings → Voice; until then the studio&apos;s own voice answers.</source>
        <translation>未配置 GPT-SoVITS 服务器：请在 设置 → 声音 中设置；在此之前由工作室自带的声音回答。</translation>
    </message>
    <message>
        <source>VoxCPM runs on this computer: {name} is loaded on {device}.</source>
        <translation>VoxCPM 在本机运行：{name} 已加载到 {device}。</translation>
    </message>
    <message>
        <source>VoxCPM runs on this computer ({device}) with {name}; it loads when it first speaks.</source>
        <translation>VoxCPM 在本机（{device}）使用 {name} 运行；首次说话时加载。</translation>
    </message>
    <message>
        <source>VoxCPM runs on this computer; no model is in use.</source>
        <translation>VoxCPM 在本机运行；当前未使用任何模型。</translation>
    </message>
    <message>
        <source>GPT-SoVITS weights</source>
        <translation>GPT-SoVITS 权重</translation>
    </message>
    <message>
        <source>VoxCPM model</source>
        <translation>VoxCPM 模型</translation>
    </message>
    <message>
        <source>Importing the {what}…</source>
        <translation>正在导入{what}…</translation>
    </message>
    <message>
        <source>Imported {what}.</source>
        <translation>已导入{what}。</translation>
    </message>
    <message>
        <source>Removed {what}.</source>
        <translation>已删除{what}。</translation>
    </message>
    <message>
        <source>Failed: {why}</source>
        <translation>失败：{why}</translation>
    </message>
    <message>
        <source>GPT-SoVITS voices</source>
        <translation>GPT-SoVITS 声音</translation>
    </message>
    <message>
        <source>VoxCPM models</source>
        <translation>VoxCPM 模型</translation>
    </message>
    <message>
        <source>Voice</source>
        <translation>声音</translation>
    </message>
    <message>
        <source>GPT weights</source>
        <translation>GPT 权重</translation>
    </message>
    <message>
        <source>SoVITS weights</source>
        <translation>SoVITS 权重</translation>
    </message>
    <message>
        <source>Reference audio</source>
        <translation>参考音频</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Import GPT-SoVITS folder…</source>
        <translation>导入 GPT-SoVITS 文件夹…</translation>
    </message>
    <message>
        <source>A folder with GPT_weights…/*.ckpt, SoVITS_weights…/*.pth and optionally 参考音频/.</source>
        <translation>包含 GPT_weights…/*.ckpt、SoVITS_weights…/*.pth（可选 参考音频/）的文件夹。</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Import VoxCPM model…</source>
        <translation>导入 VoxCPM 模型…</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>使用</translation>
    </message>
    <message>
        <source>Speak with this VoxCPM model (voice id voxcpm:&lt;name&gt;).</source>
        <translation>用这个 VoxCPM 模型说话（声音 ID voxcpm:&lt;名称&gt;）。</translation>
    </message>
    <message>
        <source>Stop using VoxCPM</source>
        <translation>停用 VoxCPM</translation>
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
        <source>&amp;Clone speaker</source>
        <translation>克隆说话人(&amp;C)</translation>
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
    <message>
        <source>Voice</source>
        <translation>声音</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Speakers</source>
        <translation>说话人</translation>
    </message>
</context>
<context>
    <name>VoiceSession</name>
    <message>
        <source>The engine is not running, so nothing can be spoken.</source>
        <translation>引擎未运行，无法朗读。</translation>
    </message>
</context>
<context>
    <name>VoiceSpeakersPage</name>
    <message>
        <source>Choose a reference recording</source>
        <translation>选择参考录音</translation>
    </message>
    <message>
        <source>Audio files (*.wav *.flac *.ogg *.mp3)</source>
        <translation>音频文件 (*.wav *.flac *.ogg *.mp3)</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>录音</translation>
    </message>
    <message>
        <source>Remove speaker</source>
        <translation>删除说话人</translation>
    </message>
    <message>
        <source>Remove the speaker {name} and its recording?</source>
        <translation>删除说话人 {name} 及其录音吗？</translation>
    </message>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
    <message>
        <source>Id: {id}
File: {file}</source>
        <translation>ID：{id}
文件：{file}</translation>
    </message>
    <message>
        <source>{seconds} / {limit} s</source>
        <translation>{seconds} / {limit} 秒</translation>
    </message>
    <message>
        <source>Stop and save</source>
        <translation>停止并保存</translation>
    </message>
    <message>
        <source>Record from microphone</source>
        <translation>用麦克风录制</translation>
    </message>
    <message>
        <source>Record a reference with {device} (up to 30 s; click again to stop).</source>
        <translation>用 {device} 录制参考音频（最长 30 秒；再次点击停止）。</translation>
    </message>
    <message>
        <source>Looking for a microphone…</source>
        <translation>正在查找麦克风…</translation>
    </message>
    <message>
        <source>The engine is not running.</source>
        <translation>引擎未在运行。</translation>
    </message>
    <message>
        <source>No microphone found: connect one (Settings → Audio chooses it).</source>
        <translation>未找到麦克风：请连接一个（在 设置 → 音频 中选择）。</translation>
    </message>
    <message>
        <source>The microphone {device} is not connected.</source>
        <translation>麦克风 {device} 未连接。</translation>
    </message>
    <message>
        <source>The sound system (PortAudio) is not available: {detail}</source>
        <translation>声音系统（PortAudio）不可用：{detail}</translation>
    </message>
    <message>
        <source>Adding {name}: trimming, normalising and transcribing…</source>
        <translation>正在添加 {name}：裁剪、音量归一化并转写…</translation>
    </message>
    <message>
        <source>Recording {name}… speak now, then click Stop and save.</source>
        <translation>正在录制 {name}… 现在请说话，然后点击“停止并保存”。</translation>
    </message>
    <message>
        <source>Added {name}. Check the transcript: double-click it to correct it.</source>
        <translation>已添加 {name}。请检查转写文本：双击即可修改。</translation>
    </message>
    <message>
        <source>Added. {name}</source>
        <translation>已添加。{name}</translation>
    </message>
    <message>
        <source>Saved {name}.</source>
        <translation>已保存 {name}。</translation>
    </message>
    <message>
        <source>Removed.</source>
        <translation>已删除。</translation>
    </message>
    <message>
        <source>Failed: {name}</source>
        <translation>失败：{name}</translation>
    </message>
    <message>
        <source>Name of the new speaker (default: the file name)</source>
        <translation>新说话人的名称（默认为文件名）</translation>
    </message>
    <message>
        <source>Add from file…</source>
        <translation>从文件添加…</translation>
    </message>
    <message>
        <source>A clean recording of one voice, 3-10 s is best (WAV, FLAC, OGG or MP3).</source>
        <translation>一个人声音的干净录音，3–10 秒最佳（WAV、FLAC、OGG 或 MP3）。</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Transcript</source>
        <translation>转写文本</translation>
    </message>
    <message>
        <source>Microphone level while recording.</source>
        <translation>录音时的麦克风音量。</translation>
    </message>
</context>
</TS>
