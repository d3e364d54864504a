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
    Expectation,
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
    VariableSelection,
)

__all__ = ['AGREEMENT', 'Analysis', 'AuthorCell', 'AuthorCounts', 'AuthorComparison', 'AuthorShow', 'Block', 'BlockBase', 'CaseFile', 'Cell', 'Cluster', 'Codebook', 'CodedValue', 'CodingSettings', 'Column', 'ConditionRequirement', 'ContinuumBlock', 'CrossTab', 'CrossTabBlock', 'CrossTabGroup', 'Decision', 'Direction', 'Evidence', 'Expectation', 'Label', 'MatrixBlock', 'Membership', 'MissingCode', 'OrganisationFile', 'Period', 'PeriodCluster', 'PredictionRule', 'QcaSettings', 'ReconciliationFile', 'RegisterItem', 'RegisterStatus', 'ReportedValue', 'Requirement', 'Round', 'ShortText', 'Slug', 'Source', 'SourceNote', 'SteeringCondition', 'Strict', 'Study', 'StudyPeriod', 'Tactic', 'ThresholdBlock', 'TopKBlock', 'Unit', 'UnitKind', 'Value', 'Variable', 'VariableId', 'VariableSelection', 'Year']
