"""The file formats as pydantic models: codebook, case files, study.yaml and its register.

The models check shape and types only; everything that needs the codebook (is this a known variable, an
allowed value?) is checked in `patroon.data.checks`, which knows the codebook and the line numbers.
Import from here; the modules below split the formats by file.
"""

from patroon.data.models.base import (  # noqa: F401
    Column,
    Direction,
    Label,
    ShortText,
    Slug,
    Strict,
    VariableId,
)
from patroon.data.models.cases import (  # noqa: F401
    CaseFile,
    CodedValue,
    Decision,
    Evidence,
    OrganisationFile,
    Period,
    PeriodCluster,
    ReconciliationFile,
    Round,
    SourceNote,
    Unit,
    Year,
)
from patroon.data.models.codebook import (  # noqa: F401
    Cluster,
    Codebook,
    MissingCode,
    Tactic,
    Value,
    Variable,
)
from patroon.data.models.propositions import (  # noqa: F401
    UNITS,
    VERDICTS,
    Alternative,
    Association,
    AuthorVerdict,
    Check,
    CoOccurrence,
    ColumnRef,
    Count,
    Criterion,
    Difference,
    Items,
    Measure,
    Pattern,
    Position,
    Prediction,
    Proposition,
    Range,
    Rank,
    RankIn,
    Rule,
    Share,
    ShareOfRows,
    Thresholds,
)
from patroon.data.models.register import (  # noqa: F401
    AGREEMENT,
    AuthorCell,
    AuthorComparison,
    AuthorShow,
    Cell,
    RegisterItem,
    RegisterStatus,
)
from patroon.data.models.study import (  # noqa: F401
    Analysis,
    AuthorCounts,
    Block,
    BlockBase,
    CodingSettings,
    ConditionRequirement,
    ContinuumBlock,
    CrossTab,
    CrossTabBlock,
    CrossTabGroup,
    MatrixBlock,
    Membership,
    PredictionRule,
    QcaSettings,
    ReportedValue,
    Requirement,
    Source,
    SteeringCondition,
    Study,
    StudyPeriod,
    ThresholdBlock,
    TopKBlock,
    UnitKind,
)
from patroon.data.models.selection import VariableSelection  # noqa: F401

__all__ = ['AGREEMENT', 'Alternative', 'Analysis', 'Association', 'AuthorCell', 'AuthorComparison', 'AuthorCounts', 'AuthorShow', 'AuthorVerdict', 'Block', 'BlockBase', 'CaseFile', 'Cell', 'Check', 'Cluster', 'CoOccurrence', 'Codebook', 'CodedValue', 'CodingSettings', 'Column', 'ColumnRef', 'ConditionRequirement', 'ContinuumBlock', 'Count', 'Criterion', 'CrossTab', 'CrossTabBlock', 'CrossTabGroup', 'Decision', 'Difference', 'Direction', 'Evidence', 'Items', 'Label', 'MatrixBlock', 'Measure', 'Membership', 'MissingCode', 'OrganisationFile', 'Pattern', 'Period', 'PeriodCluster', 'Position', 'Prediction', 'PredictionRule', 'Proposition', 'QcaSettings', 'Range', 'Rank', 'RankIn', 'ReconciliationFile', 'RegisterItem', 'RegisterStatus', 'ReportedValue', 'Requirement', 'Round', 'Rule', 'Share', 'ShareOfRows', 'ShortText', 'Slug', 'Source', 'SourceNote', 'SteeringCondition', 'Strict', 'Study', 'StudyPeriod', 'Tactic', 'ThresholdBlock', 'Thresholds', 'TopKBlock', 'UNITS', 'Unit', 'UnitKind', 'VERDICTS', 'Value', 'Variable', 'VariableId', 'VariableSelection', 'Year']
