"""The perfeval-xl command: a thin shell over the library API."""
from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import click

from ._version import __version__
from .batch import resolved_outbox, score_folder
from .errors import OutboxIsInbox, PerfevalError, RulebookError, outbox_error
from .explain import terminal_text
from .readers import ReadLimits
from .rules import builtin_rulebooks, load_rulebook, resolve_rules, rulebook_text

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: Exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it); 1 means a file failed.
EXIT_INTERRUPTED = 130


class ChineseUsageError(click.UsageError):
    """A usage error (exit code 2) shown in Chinese: click's own frame around it is English."""

    def show(self, file=None) -> None:
        err = file is None
        if self.ctx is not None:
            usage = " ".join([self.ctx.command_path, *self.ctx.command.collect_usage_pieces(self.ctx)])
            click.echo(f"用法：{usage}\n运行“{self.ctx.command_path} --help”查看帮助。\n", file=file, err=err)
        click.echo(f"错误：{self.format_message()}", file=file, err=err)


class ChineseError(click.ClickException):
    """An error that stops a command (exit code 1), shown as 错误：… rather than click's "Error: …"."""

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", file=file, err=file is None)


class Interrupted(click.ClickException):
    """Ctrl-C: one Chinese line instead of click's "Aborted!", and exit code 130, not 1."""

    exit_code = EXIT_INTERRUPTED

    def show(self, file=None) -> None:
        click.echo(f"\n{self.format_message()}", file=file, err=file is None)  # the blank line ends the ^C echo


#: What -h/--help and --version say of themselves: in both languages, as every other option does.
_HELP_OPTION_HELP = "显示本帮助并退出。 / Show this message and exit."
_VERSION_OPTION_HELP = "显示版本号并退出。 / Show the version and exit."


class _ChineseHelp(click.HelpFormatter):
    """click's help with its English headings in Chinese too, as every option's text is."""

    _SECTIONS = {"Options": "选项 / Options", "Commands": "命令 / Commands"}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法 / Usage: " if prefix is None else prefix)

    def section(self, name: str):
        return super().section(self._SECTIONS.get(name, name))


class _Context(click.Context):
    formatter_class = _ChineseHelp


class _Command(click.Command):
    """A perfeval-xl command: its help's headings and its -h/--help are in Chinese too."""

    context_class = _Context

    def get_help_option(self, ctx: click.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _HELP_OPTION_HELP
        return option


class _Group(_Command, click.Group):
    """The perfeval-xl group: click's own usage errors (an unknown option or command, a missing
    value) reach the officer in Chinese too, as ours do; its commands are :class:`_Command`."""

    command_class = _Command
    group_class = type  # a group of commands under it (rules) is one of these too

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _in_chinese(exc) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted("已中断。") from None
        except click.UsageError as exc:  # a subcommand's arguments, or a command that does not exist
            raise _in_chinese(exc) from None


def _in_chinese(exc: click.UsageError) -> click.UsageError:
    """``exc``, one of click's own usage errors, as a :class:`ChineseUsageError` saying the same."""
    if isinstance(exc, ChineseUsageError):
        return exc
    message = exc.format_message()
    if isinstance(exc, click.NoSuchOption):
        close = f"（是否应为 {'、'.join(sorted(exc.possibilities))}？）" if exc.possibilities else ""
        message = f"没有选项 {exc.option_name}{close}"
    elif isinstance(exc, click.BadOptionUsage) and "requires an argument" in message:
        message = f"选项 {exc.option_name} 后面缺少它的值"
    elif isinstance(exc, click.MissingParameter) and exc.param is not None:
        message = f"缺少参数 {exc.param.human_readable_name}"
    elif isinstance(exc, click.BadParameter) and exc.param is not None and isinstance(exc.param.type, click.Choice):
        message = f"{_option_name(exc.param)} 应为 {'、'.join(exc.param.type.choices)} 之一"
    elif (found := re.match(r"No such command '([^']*)'", message)) and exc.ctx is not None:
        commands = "、".join(exc.ctx.command.list_commands(exc.ctx)) if isinstance(exc.ctx.command, click.Group) else ""
        message = f"没有命令“{found.group(1)}”" + (f"（可用：{commands}）" if commands else "")
    elif found := re.match(r"Got unexpected extra arguments? \((.*)\)", message):
        message = f"多余的参数：{found.group(1)}"
    return ChineseUsageError(message, exc.ctx)


class _Path(click.Path):
    """click.Path with its complaints in Chinese; ``what`` names the path in them (收件箱, 文件…)."""

    def __init__(self, what: str, **kwargs):
        kwargs.setdefault("path_type", Path)
        super().__init__(**kwargs)
        self.what = what

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            path = Path(os.fsdecode(value))
            if not path.exists():
                why = "不存在"
            elif path.is_dir() and not self.dir_okay:
                why = "是文件夹，不是文件"
            elif not path.is_dir() and not self.file_okay:
                why = "是文件，不是文件夹"
            else:
                why = "无法读取（没有权限）"
            raise ChineseUsageError(f"{self.what}“{value}”{why}", ctx) from None


class _AtLeast:
    """A number of at least ``minimum`` whose wrong value is reported in Chinese."""

    noun = "数"

    def __init__(self, minimum):
        super().__init__(min=minimum)

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            raise ChineseUsageError(f"{_option_name(param)} 应为不小于 {self.min} 的{self.noun}，而不是“{value}”",
                                    ctx) from None


class _IntAtLeast(_AtLeast, click.IntRange):
    noun = "整数"


class _FloatAtLeast(_AtLeast, click.FloatRange):
    pass


class _Required:
    """A required option or argument whose absence is reported in Chinese."""

    def process_value(self, ctx, value):
        try:
            return super().process_value(ctx, value)
        except click.MissingParameter:
            if isinstance(self, click.Option):
                raise ChineseUsageError(f"缺少必填选项 {_option_name(self)}", ctx) from None
            raise ChineseUsageError(f"缺少参数 {self.human_readable_name}", ctx) from None


class _RequiredOption(_Required, click.Option):
    pass


class _RequiredArgument(_Required, click.Argument):
    pass


def _option_name(param) -> str:
    return "/".join(param.opts) if param is not None and param.opts else "参数"


def _os_error(exc: OSError, outbox: Path) -> ChineseError:
    """An OS error that stopped a command, in Chinese, naming the folder (or file) it is about."""
    return ChineseError(str(outbox_error(exc, outbox)))


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="perfeval-xl", message="%(prog)s %(version)s", help=_VERSION_OPTION_HELP)
def main() -> None:
    """预算绩效自评表批量复核评分工具。

    Re-score budget performance self-evaluation workbooks (项目支出绩效自评表)
    by the official rules and write the scored forms and a batch summary.
    """


def _read_options(command):
    """The options of how workbooks are read, alike for every command that reads them: passwords
    and the limits of one file's cost (an error about a limit names the option that raises it)."""
    for option in reversed([
        click.option("--password", "passwords", multiple=True, metavar="PW",
                     help="加密文件的密码，可重复给出。 / Password for encrypted files (repeatable)."),
        click.option("--passwords-file", type=_Path("密码文件", exists=True, dir_okay=False),
                     help="密码文件，每行一个密码（UTF-8或GBK编码）。 / File with one password per line."),
        click.option("--max-cells", type=_IntAtLeast(1000), default=ReadLimits.max_sheet_cells, show_default=True,
                     help="单个工作表数据区域的单元格上限。 / Largest sheet area read (rows × columns)."),
        click.option("--max-unzipped-mb", type=_IntAtLeast(1), default=ReadLimits.max_unzipped_bytes // 2**20,
                     show_default=True, help="单个文件解压后的大小上限（MB）。 / Largest unzipped size of one file."),
    ]):
        command = option(command)
    return command


def _read_settings(passwords: tuple[str, ...], passwords_file: Path | None, max_cells: int,
                   max_unzipped_mb: int) -> tuple[tuple[str, ...], ReadLimits]:
    """(every password given, the read limits) of :func:`_read_options`' values."""
    if passwords_file is not None:
        passwords += tuple(line.strip() for line in _text_of(passwords_file, "--passwords-file").splitlines()
                           if line.strip())
    return passwords, ReadLimits(max_unzipped_bytes=max_unzipped_mb * 2**20, max_sheet_cells=max_cells)


def _text_of(path: Path, option: str) -> str:
    """A small text file an officer wrote: UTF-8 (with or without a BOM), or GBK as Notepad on a
    Chinese Windows saved it by default."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ChineseUsageError(f"{option}：文件“{path}”既不是UTF-8也不是GBK编码的文本，请用记事本另存为UTF-8后重试")


#: The files of one group sent twice named on the terminal; summary.xlsx's 重复报送 lists them all.
_DUPLICATES_NAMED = 5


def _not_the_inbox(outbox: Path, inbox: Path) -> None:
    """An OUTBOX that is the INBOX is a usage error (exit 2), as an OUTBOX that is a file is: the
    library's own check, asked before the batch starts."""
    try:
        resolved_outbox(outbox, inbox)
    except OutboxIsInbox as exc:
        raise ChineseUsageError(f"--out：{exc}") from None


def _one_line(name: str) -> str:
    """A file's name on one line of the terminal: a line break or tab in it (possible on Linux)
    shown as \\n or \\t, or the failures were no longer one line each."""
    return name.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") if not name.isprintable() else name


@main.command(context_settings=CONTEXT)
@click.argument("inbox", cls=_RequiredArgument, type=_Path("收件箱", exists=True, file_okay=False))
@click.option("--out", "-o", "outbox", cls=_RequiredOption, required=True,
              type=_Path("输出文件夹", file_okay=False),
              help="输出文件夹：评分后的自评表、summary.xlsx、summary.json。 / Output folder.")
@click.option("--rules", "-r", multiple=True, metavar="NAME|FILE",
              help="评分规则：内置规则名或YAML文件（默认按表类型选择）；可给两次：项目规则和部门规则各一套。 / "
                   "Rulebook name or YAML file; twice for a project and a department rulebook.")
@click.option("--jobs", "-j", type=_IntAtLeast(0), default=0, show_default=False,
              help="并行进程数，0为CPU核数（默认）。 / Worker processes; 0 = all cores (default).")
@_read_options
@click.option("--force", is_flag=True,
              help="全部重新评分（默认跳过内容和规则都未变的文件）。 / Re-score unchanged files too.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="本机多进程或Dask集群。 / Local worker processes or a Dask cluster.")
@click.option("--scheduler", metavar="ADDR",
              help="Dask调度器地址，如 tcp://10.0.0.5:8786（不填则在本机启动）。 / Dask scheduler address.")
@click.option("--format", "formats", default=["xlsx,json"], show_default=True, metavar="LIST", multiple=True,
              callback=lambda ctx, _param, value: _formats(ctx, ",".join(value)),
              help="汇总格式，逗号分隔或重复给出：xlsx、json、csv。 / Summary formats, comma-separated or repeated.")
@click.option("--quiet", "-q", is_flag=True,
              help="不显示进度条和结尾的统计行（错误照常显示）。 / No progress bar, no closing count (errors still shown).")
@click.option("--debug", is_flag=True, help="出错时显示完整的调用栈。 / Show tracebacks of internal errors.")
def score(inbox: Path, outbox: Path, rules: tuple[str, ...], jobs: int, passwords: tuple[str, ...],
          passwords_file: Path | None, max_cells: int, max_unzipped_mb: int, force: bool, executor: str,
          scheduler: str | None, formats: tuple[str, ...], quiet: bool, debug: bool) -> None:
    """对INBOX下所有工作簿评分，结果写入--out文件夹。

    Score every workbook under INBOX (recursively; .xlsx, .xlsm, .xltx, .xltm, .xls,
    .ods) and write OUTBOX/<sub-folder>/<name>.scored.xlsx for each (b.xls gives
    b.xls.scored.xlsx), a report draft for each department form scored with
    its 基础数据表 (F2), plus summary.xlsx and summary.json.  Exit code 0 when no file failed (a skipped
    file is named or counted), 1 when any failed (or the batch could not run),
    2 for a usage error, 130 when stopped by Ctrl-C.
    """
    rulebook = _rulebook(rules)
    if scheduler is not None and executor != "dask":
        raise ChineseUsageError("--scheduler 只用于 Dask 集群，请同时给出 --executor dask", click.get_current_context())
    _not_the_inbox(outbox, inbox)
    passwords, limits = _read_settings(passwords, passwords_file, max_cells, max_unzipped_mb)
    jobs = jobs or os.cpu_count() or 1
    show_bar = not quiet and sys.stderr.isatty()
    bar = _progress_bar() if show_bar else None
    try:
        batch = score_folder(inbox, out=outbox, rules=rulebook, jobs=jobs, passwords=passwords, limits=limits,
                             force=force, executor=executor, scheduler=scheduler, formats=formats,
                             on_listed=bar.reset if bar is not None else None,
                             on_file=(lambda _outcome: bar.update(1)) if bar is not None else None)
    except KeyboardInterrupt:
        # Each finished file's result is in OUTBOX/.perfeval once the batch has unwound.
        raise Interrupted("已中断：已完成的文件下次在同一输出文件夹运行时会被复用") from None
    except PerfevalError as exc:
        raise ChineseError(str(exc)) from exc
    except OSError as exc:
        raise _os_error(exc, outbox) from exc
    finally:
        if bar is not None:
            bar.close()
    for file in batch.failed:
        click.echo(terminal_text(f"错误 {_one_line(file.file)}：{file.error}"), err=True)
        if debug and file.detail:
            click.echo(terminal_text(file.detail), err=True)
    statuses = list(batch.statuses.values())
    for file, reason in _skipped_to_act_on(batch):
        click.echo(terminal_text(f"跳过 {_one_line(file)}：{reason}"), err=True)
    for group in batch.duplicates:  # each form is scored and counted: the officer decides which stands
        unit = f"（{group.unit}）" if group.unit else ""
        what = f"项目“{group.name}”{unit}" if group.kind == "项目" else f"部门“{group.unit}”的整体支出评价"
        # A few names, not 120 on one line (one sheet copied into every unit's workbook): the sheet lists them all.
        named = group.files_named()
        files = "、".join(map(_one_line, named[:_DUPLICATES_NAMED]))
        if len(named) > _DUPLICATES_NAMED:
            files += f"等{len(named)}个文件"
        click.echo(terminal_text(f"重复 {what}有{len(group.files)}张评价表：{files}；"
                                 "均已评分并计入汇总，请确认以哪一份为准（见summary.xlsx“重复报送”）"), err=True)
    if not statuses:  # a wrong folder given, most likely: said even with --quiet
        click.echo(f"提示：收件箱“{inbox}”中没有找到工作簿（.xlsx、.xlsm、.xltx、.xls、.ods等），请确认文件夹是否正确", err=True)
    elif not quiet:
        among = [f"{batch.reused} 个未变化，沿用上次结果"] if batch.reused else []
        if batch.base_files_used:  # counted as scored, with no score of their own: the count looked wrong
            among.append(f"{batch.base_files_used} 个是基础数据表，已与另一文件中的指标评分表配对评分")
        among_text = f"（其中 {'；'.join(among)}）" if among else ""
        click.echo(f"已评分 {statuses.count('ok')} 个文件{among_text}，失败 {statuses.count('error')} 个，"
                   f"跳过 {statuses.count('skipped')} 个；规则 {batch.rulebook}；结果在 {outbox}")
    sys.exit(batch.exit_code)


def _skipped_to_act_on(batch) -> list[tuple[str, str]]:
    """(file, why) of each skipped file of ``batch`` the officer must act on (another program's
    spreadsheet, a name clash, an F2 not used, a linked folder); a lock, temporary or hidden file,
    or a scored form, is not: nothing is to be done."""
    found = []
    for index, status in enumerate(batch.statuses.values()):
        if status == "skipped":
            file = batch.files[index]  # read from the outbox's store: once
            if "请" in (file.error or ""):
                found.append((file.file, file.error))
    return found


def _formats(ctx: click.Context, value: str) -> tuple[str, ...]:
    from .writers.summary_spool import SUMMARY_FILES

    formats = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [f for f in formats if f not in SUMMARY_FILES]
    if unknown or not formats:
        raise ChineseUsageError(f"--format：未知的格式 {'、'.join(unknown) or '（空）'}；可用：{'、'.join(SUMMARY_FILES)}",
                                ctx)
    return formats


def _rulebook(rules: tuple[str, ...], option: str = "--rules"):
    """The rulebooks ``--rules`` names (one for project forms, one for department forms at most), as
    the RuleSet every form is scored by; None when none is named (every kind's default)."""
    if not rules:
        return None
    loaded = [_loaded(rule, option) for rule in rules]
    try:
        return resolve_rules(loaded)
    except PerfevalError as exc:  # two rulebooks for one kind of form
        raise ChineseUsageError(f"{option}：{exc}") from exc


def _loaded(rule: str, option: str):
    """The rulebook ``rule`` names; a usage error (exit 2) when there is none, or it is not valid."""
    try:
        return load_rulebook(rule)
    except RulebookError as exc:
        raise ChineseUsageError(f"{option}：{exc}") from exc


def _progress_bar():
    from tqdm import tqdm

    # The total is set (bar.reset) once score_folder has listed the inbox.
    return tqdm(total=None, unit="个文件", desc="评分", file=sys.stderr)


@main.command(context_settings=CONTEXT)
@click.argument("file", cls=_RequiredArgument, type=_Path("文件", exists=True, dir_okay=False))
@click.option("--rules", "-r", multiple=True, metavar="NAME|FILE",
              help="评分规则：内置规则名或YAML文件；项目规则和部门规则可各给一套。 / Rulebook name or YAML file (one per kind of form).")
@_read_options
def explain(file: Path, rules: tuple[str, ...], passwords: tuple[str, ...], passwords_file: Path | None, max_cells: int,
            max_unzipped_mb: int) -> None:
    """逐项显示一个工作簿的评分过程（评分依据、问题）。

    Print one workbook's scoring, item by item with its 评分依据 and flags.
    """
    from .batch import score_workbook
    from .explain import print_explanation

    rulebook = _rulebook(rules)  # as score does: a bad --rules is a usage error, not the file's
    passwords, limits = _read_settings(passwords, passwords_file, max_cells, max_unzipped_mb)
    try:
        result = score_workbook(file, rules=rulebook, passwords=passwords, limits=limits)
    except PerfevalError as exc:  # names the file already
        raise ChineseError(terminal_text(str(exc))) from exc
    print_explanation(result)


@main.command(context_settings=CONTEXT)
@click.argument("inbox", cls=_RequiredArgument, type=_Path("收件箱", exists=True, file_okay=False))
@click.option("--out", "-o", "outbox", cls=_RequiredOption, required=True, type=_Path("输出文件夹", file_okay=False),
              help="输出文件夹。 / Output folder.")
@click.option("--rules", "-r", multiple=True, metavar="NAME|FILE",
              help="评分规则，项目规则和部门规则可各给一套。 / Rulebook name or file (one per kind of form).")
@click.option("--jobs", "-j", type=_IntAtLeast(0), default=0,
              help="并行进程数，0为CPU核数（默认）。 / Worker processes; 0 = all cores (default).")
@click.option("--settle", type=_FloatAtLeast(0.1), default=2.0, show_default=True,
              help="文件大小保持不变多少秒后才评分（等待复制完成）。 / Seconds a file's size must hold still.")
@_read_options
@click.option("--format", "formats", default=["xlsx,json"], show_default=True, metavar="LIST", multiple=True,
              callback=lambda ctx, _param, value: _formats(ctx, ",".join(value)),
              help="汇总格式，逗号分隔或重复给出：xlsx、json、csv。 / Summary formats, comma-separated or repeated.")
def watch(inbox: Path, outbox: Path, rules: tuple[str, ...], jobs: int, settle: float, passwords: tuple[str, ...],
          passwords_file: Path | None, max_cells: int, max_unzipped_mb: int, formats: tuple[str, ...]) -> None:
    """监视INBOX，新文件复制完成后自动评分并更新汇总；按Ctrl-C停止。

    Watch INBOX: score each workbook once it has finished being copied in,
    update the summary, and keep running until Ctrl-C.
    """
    import datetime

    from .watch import watch_folder

    rulebook = _rulebook(rules)
    _not_the_inbox(outbox, inbox)
    passwords, limits = _read_settings(passwords, passwords_file, max_cells, max_unzipped_mb)

    named: dict[str, str] = {}  # skipped files named already, with why: each is named once, not every run

    def report(batch) -> None:
        statuses = list(batch.statuses.values())
        stamp = datetime.datetime.now().strftime("%H:%M:%S")
        click.echo(f"[{stamp}] {len(statuses)} 个文件：新评分 {statuses.count('ok') - batch.reused} 个，"
                   f"沿用 {batch.reused} 个，失败 {statuses.count('error')} 个，"
                   f"跳过 {statuses.count('skipped')} 个；汇总已更新")
        for failed in batch.failed:
            click.echo(terminal_text(f"  错误 {_one_line(failed.file)}：{failed.error}"), err=True)
        # As score names them; again only when one comes back, or its reason changes.
        skipped = dict(_skipped_to_act_on(batch))
        for file, reason in skipped.items():
            if named.get(file) != reason:
                click.echo(terminal_text(f"  跳过 {_one_line(file)}：{reason}"), err=True)
        named.clear()
        named.update(skipped)

    def busy() -> None:
        stamp = datetime.datetime.now().strftime("%H:%M:%S")
        click.echo(f"[{stamp}] 输出文件夹正被另一次评分使用，待其完成后再评分", err=True)

    click.echo(f"开始监视 {inbox}，结果写入 {outbox}；按 Ctrl-C 停止。")
    try:
        watch_folder(inbox, outbox, settle=settle, on_batch=report, on_busy=busy, rules=rulebook,
                     jobs=jobs or os.cpu_count() or 1, passwords=passwords, limits=limits, formats=formats)
    except KeyboardInterrupt:  # the way to stop watching: not an error
        click.echo("已停止监视。")
    except PerfevalError as exc:
        raise ChineseError(str(exc)) from exc
    except OSError as exc:
        raise _os_error(exc, outbox) from exc


@main.group(invoke_without_command=True, context_settings=CONTEXT)
@click.pass_context
def rules(ctx: click.Context) -> None:
    """列出内置评分规则。 / List the built-in rulebooks."""
    if ctx.invoked_subcommand is None:
        for name in builtin_rulebooks():
            rulebook = load_rulebook(name)
            click.echo(f"{name}\t{rulebook.title}")


@rules.command("show", context_settings=CONTEXT)
@click.argument("name")
def rules_show(name: str) -> None:
    """显示一套规则的内容（YAML）。 / Print a rulebook (YAML)."""
    _loaded(name, "NAME")  # an unknown name is a usage error (exit 2), as with score --rules
    try:
        click.echo(rulebook_text(name), nl=False)
    except OSError as exc:
        raise ChineseError(str(exc)) from exc


@rules.command("check", context_settings=CONTEXT)
@click.argument("file", cls=_RequiredArgument, type=_Path("规则文件", exists=True, dir_okay=False, path_type=str))
def rules_check(file: str) -> None:
    """检查自定义规则文件是否有效。 / Validate a rulebook file."""
    try:
        rulebook = load_rulebook(file)
    except RulebookError as exc:
        raise ChineseError(str(exc)) from exc
    click.echo(f"规则文件有效：{rulebook.name}（{rulebook.title}）")


@main.command(context_settings=CONTEXT)
@click.argument("dest", cls=_RequiredArgument, type=_Path("目标文件夹", file_okay=False))
def templates(dest: Path) -> None:
    """把空白自评表模板复制到DEST，供单位填报。 / Copy the blank forms to DEST for units to fill."""
    from .writers import blank_templates

    try:
        dest.mkdir(parents=True, exist_ok=True)
        for template in blank_templates():
            target = dest / template.name
            if target.exists():
                click.echo(f"已存在，未覆盖：{target}", err=True)
                continue
            shutil.copyfile(template, target)
            click.echo(str(target))
    except OSError as exc:
        raise _os_error(exc, dest) from exc


if __name__ == "__main__":  # pragma: no cover
    main()
